"""The preorders app's answers to the catalog's news (connected in `PreordersConfig.ready`)."""

from django.dispatch import receiver

from catalog.signals import product_saved, stock_returned
from preorders.services import product_sync_waves, waitlist_notify_sizes


@receiver(product_saved, dispatch_uid="preorders.product_waves_sync")
def product_waves_sync(sender, *, product, capacity_changed: bool, **kwargs) -> None:
    if product.is_preorder:
        product_sync_waves(product=product, capacity_changed=capacity_changed)


@receiver(stock_returned, dispatch_uid="preorders.waitlist_back_in_stock")
def waitlist_back_in_stock(sender, *, product_id: int, sizes, **kwargs) -> None:
    waitlist_notify_sizes(product_id=product_id, sizes=sizes)
