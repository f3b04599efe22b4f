"""The pause button of a sale (DESIGN.md, «Pause»).

`sale_paused` is a column of the product, so every instance sees it at once: orders read their products from
the database (`items_resolve`), draw entries read the product row, and the waiting room's cached schedule is
dropped from the shared cache when the flag moves. A pause freezes a queued drop's clock: on resume, the start
and every admission not yet lapsed at the pause move on by the pause's length, so an admitted buyer keeps the
minutes they had left and nobody ahead in the queue loses a place.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Product
from drops.errors import SalePaused
from drops.models import QueueEntry


def schedule_cache_key(product_id: int) -> str:
    return f"drops:schedule:{product_id}"


def _changed(product_id: int) -> None:
    """The product's row changed (its querysets invalidate the catalog's reads): forget its sale schedule too."""
    cache.delete(schedule_cache_key(product_id))
    # Again after commit: a reader between the delete and the commit may have cached the old row.
    transaction.on_commit(lambda: cache.delete(schedule_cache_key(product_id)), robust=True)


@transaction.atomic
def sale_pause(*, product_id: int, now: datetime | None = None) -> bool:
    """Pause the sale now (a no-op when it is paused already); True when this call paused it."""
    now = now or timezone.now()
    paused = Product.objects.filter(pk=product_id, sale_paused=False).update(sale_paused=True, sale_paused_at=now)
    if paused:
        _changed(product_id)
    return bool(paused)


@transaction.atomic
def sale_resume(*, product_id: int, now: datetime | None = None) -> bool:
    """Resume a paused sale where it stopped; True when this call resumed it."""
    now = now or timezone.now()
    product = (
        Product.objects.select_for_update()
        .only("pk", "sale_paused", "sale_paused_at", "queue_enabled", "sale_starts_at")
        .filter(pk=product_id, sale_paused=True)
        .first()
    )
    if product is None:
        return False
    paused_at = product.sale_paused_at or now
    length = max(now - paused_at, timedelta(0))
    changes = {"sale_paused": False, "sale_paused_at": None}
    if product.has_queue and length:
        window = timedelta(minutes=settings.QUEUE_ADMISSION_MINUTES)
        QueueEntry.objects.filter(product_id=product_id, admit_at__gt=paused_at - window).update(
            admit_at=F("admit_at") + length
        )
        changes["sale_starts_at"] = product.sale_starts_at + length
    Product.objects.filter(pk=product_id).update(**changes)
    _changed(product_id)
    return True


def sale_paused_check(*, product: Product) -> None:
    """Refuse anything that sells the product while its sale is paused (no query: the row is read already)."""
    if product.sale_paused:
        raise SalePaused(f"Продажа «{product.name}» приостановлена. Попробуйте чуть позже.", product=product.pk)
