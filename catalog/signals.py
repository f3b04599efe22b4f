"""News of the catalog for the apps above it (preorders), so that the catalog never imports them.

- `product_saved(product, capacity_changed)`: staff created or changed a product, inside the writer's
  transaction; the preorders app makes a preorder product's waves match its settings.
"""

from django.dispatch import Signal

product_saved = Signal()
