"""What the accounts app asks of the apps above it about one customer's personal data (152-FZ).

- `personal_data_requested(user=...)`: each receiver returns a dict of its sections of the customer's data
  export (`{"orders": [...]}`); `accounts.personal_data.user_data_export` merges them.
- `personal_data_erasing(user=..., phone=..., placeholder=...)`: sent inside the deletion's transaction; each
  receiver replaces what names the customer in its own rows (names, phones, addresses) and keeps what the
  accounts need (orders, receipts, amounts).
"""

from django.dispatch import Signal

personal_data_requested = Signal()
personal_data_erasing = Signal()
