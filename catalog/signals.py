"""News of the catalog for the apps above it (preorders), so that the catalog never imports them.

- `product_saved(product, capacity_changed)`: staff created or changed a product, inside the writer's
  transaction; the preorders app makes a preorder product's waves match its settings.
- `stock_returned(product_id, sizes)`: units came back to sizes of an in-stock product (staff set stock, an
  order was cancelled, expired or refunded), inside the writer's transaction; the preorders app tells the
  size's waitlist (back-in-stock alerts).
"""

from django.dispatch import Signal

product_saved = Signal()
stock_returned = Signal()
