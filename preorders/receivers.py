"""The preorders app's answers to the catalog's and the accounts' news (connected in `PreordersConfig.ready`)."""

from django.db.models import Q
from django.dispatch import receiver

from accounts.signals import personal_data_erasing, personal_data_requested
from catalog.signals import product_saved, stock_returned
from preorders.models import WaitlistEntry
from preorders.services import product_sync_waves, waitlist_notify_sizes


@receiver(product_saved, dispatch_uid="preorders.product_waves_sync")
def product_waves_sync(sender, *, product, capacity_changed: bool, **kwargs) -> None:
    if product.is_preorder:
        product_sync_waves(product=product, capacity_changed=capacity_changed)


@receiver(stock_returned, dispatch_uid="preorders.waitlist_back_in_stock")
def waitlist_back_in_stock(sender, *, product_id: int, sizes, **kwargs) -> None:
    waitlist_notify_sizes(product_id=product_id, sizes=sizes)


def _waitlist_of(user, phone: str):
    return WaitlistEntry.objects.filter(Q(user=user) | Q(phone=phone))


@receiver(personal_data_requested, dispatch_uid="preorders.personal_data_waitlist")
def personal_data_waitlist(sender, *, user, **kwargs) -> dict:
    entries = _waitlist_of(user, user.phone).select_related("product").order_by("created_at", "id")
    return {
        "waitlist": [
            {
                "product": entry.product.name,
                "article": entry.product.article,
                "size": entry.size,
                "phone": entry.phone,
                "created_at": entry.created_at.isoformat(),
                "notified_at": entry.notified_at.isoformat() if entry.notified_at else None,
            }
            for entry in entries
        ]
    }


@receiver(personal_data_erasing, dispatch_uid="preorders.personal_data_erase_waitlist")
def personal_data_erase_waitlist(sender, *, user, phone: str, **kwargs) -> None:
    """A request to be told by SMS names a phone and serves nobody once the account is gone: deleted."""
    _waitlist_of(user, phone).delete()
