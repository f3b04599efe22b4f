"""The preorders app's answers to the catalog's news (connected in `PreordersConfig.ready`)."""

from django.dispatch import receiver

from catalog.signals import product_saved
from preorders.services import product_sync_waves


@receiver(product_saved, dispatch_uid="preorders.product_waves_sync")
def product_waves_sync(sender, *, product, capacity_changed: bool, **kwargs) -> None:
    if product.is_preorder:
        product_sync_waves(product=product, capacity_changed=capacity_changed)
