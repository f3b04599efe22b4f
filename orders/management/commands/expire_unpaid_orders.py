"""Reconcile pending payments, run the draws whose entries closed, then cancel orders left unpaid past
ORDER_PAYMENT_TIMEOUT minutes; the scheduler runs it periodically (`--every`)."""

from django.conf import settings

from config.periodic import PeriodicCommand
from orders.services import draws_run_due, order_expire_unpaid, payments_reconcile


class Command(PeriodicCommand):
    help = (
        "Read pending payments back from YooKassa (lost notifications, payments never created), then cancel orders "
        "unpaid for longer than ORDER_PAYMENT_TIMEOUT minutes, giving back stock, waves and codes. "
        "With --every N it keeps doing so every N seconds (the scheduler's loop)."
    )

    def round(self) -> None:
        reconciled = payments_reconcile()
        self.stdout.write(
            f"Reconciled {reconciled.checked} pending payment(s): {reconciled.settled} settled, "
            f"{reconciled.created} created, {reconciled.unavailable} not answered."
        )
        drawn = draws_run_due()
        if drawn:
            self.stdout.write(f"Finished {drawn} draw(s).")
        expired = order_expire_unpaid()
        self.stdout.write(
            f"Expired {expired} unpaid order(s) older than {settings.ORDER_PAYMENT_TIMEOUT} minutes."
        )
