"""The drop's control room: a product's sale as it happens, in figures that cost nothing to refresh.

Every refresh (the page asks every 5 seconds) reads one snapshot from the shared cache; the snapshot is rebuilt
at most about once per `SNAPSHOT_SECONDS` for everyone watching, by a refresh that finds it gone (the page itself,
opened or reloaded after staff pressed pause, rebuilds it at once). A rebuild is eight small queries whatever the sale's size: counts grouped by minute over the
last ten minutes (queue admissions, orders of the product by their creation time), today's payments of the
product's orders by status, the stock and wave rows, draw entries by size and status. Nothing is written.
"""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncMinute
from django.utils import timezone

from catalog.models import Product, ProductStock
from drops.models import DrawEntry, DrawEntryStatus, QueueEntry
from orders.models import OrderItem, PaymentStatus
from preorders.models import PreorderWave

SNAPSHOT_SECONDS = 5
MINUTES = 10


def _key(product_id: int) -> str:
    return f"control:{product_id}"


def _per_minute(rows, *, now: datetime) -> list[dict]:
    """`[{minute: "HH:MM", count}]` for the last `MINUTES` minutes, oldest first, zeros included."""
    counts = {timezone.localtime(row["minute"]).strftime("%H:%M"): row["n"] for row in rows if row["minute"]}
    start = timezone.localtime(now).replace(second=0, microsecond=0) - timedelta(minutes=MINUTES - 1)
    minutes = [(start + timedelta(minutes=i)).strftime("%H:%M") for i in range(MINUTES)]
    return [{"minute": minute, "count": counts.get(minute, 0)} for minute in minutes]


def _waves(product_id: int) -> list[dict]:
    """The product's preorder waves in order: places left of each wave's capacity."""
    return [
        {"number": number, "left": capacity - count, "capacity": capacity}
        for number, capacity, count in PreorderWave.objects.filter(product_id=product_id)
        .order_by("wave_number")
        .values_list("wave_number", "capacity", "current_count")
    ]


def _draw_entries(product_id: int) -> dict[str, dict[str, int]]:
    """Draw entries counted per size and status."""
    entries: dict[str, dict[str, int]] = {}
    for size, status, n in (
        DrawEntry.objects.filter(draw_id=product_id)
        .values("size", "status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("size", "status", "n")
    ):
        # Staff read the statuses in Russian («участвует», «выиграла»…).
        entries.setdefault(size, {})[str(DrawEntryStatus(status).label)] = n
    return entries


def control_snapshot_build(*, product_id: int, now: datetime | None = None) -> dict:
    """The figures, read from the database (see the module for what it costs)."""
    now = now or timezone.now()
    since = now.replace(second=0, microsecond=0) - timedelta(minutes=MINUTES - 1)
    product = Product.objects.only("pk", "name", "sale_paused", "sale_mode", "order_type").get(pk=product_id)
    queue = QueueEntry.objects.filter(product_id=product_id)
    waiting = queue.exclude(admit_at__lte=now).count()
    admitted = (
        queue.filter(admit_at__gte=since, admit_at__lte=now)
        .annotate(minute=TruncMinute("admit_at"))
        .values("minute")
        .annotate(n=Count("pk"))
        .order_by()
    )
    items = OrderItem.objects.filter(product_id=product_id)
    orders = (
        items.filter(order__created_at__gte=since)
        .annotate(minute=TruncMinute("order__created_at"))
        .values("minute")
        .annotate(n=Count("order_id", distinct=True))
        .order_by()
    )
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    payments = dict(
        items.filter(order__created_at__gte=today)
        .values("order__payment_status")
        .annotate(n=Count("order_id", distinct=True))
        .order_by()
        .values_list("order__payment_status", "n")
    )
    stock = dict(ProductStock.objects.filter(product_id=product_id).values_list("size", "quantity"))
    return {
        "product": product.pk,
        "name": product.name,
        "at": timezone.localtime(now).strftime("%H:%M:%S"),
        "paused": product.sale_paused,
        "waiting": waiting,
        "admitted_per_minute": _per_minute(admitted, now=now),
        "orders_per_minute": _per_minute(orders, now=now),
        "units_left": stock,
        "waves": _waves(product_id),
        "payments": {
            "pending": payments.get(PaymentStatus.PENDING, 0) + payments.get(PaymentStatus.WAITING_FOR_CAPTURE, 0),
            "succeeded": payments.get(PaymentStatus.SUCCEEDED, 0),
        },
        "draw_entries": _draw_entries(product_id),
    }


def control_snapshot(*, product_id: int, now: datetime | None = None) -> dict:
    """The figures as the control room shows them: from the shared cache, rebuilt when older than 5 seconds."""
    snapshot = cache.get(_key(product_id))
    if snapshot is None:
        snapshot = control_snapshot_build(product_id=product_id, now=now)
        cache.set(_key(product_id), snapshot, SNAPSHOT_SECONDS)
    return snapshot


def control_snapshot_fresh(*, product_id: int, now: datetime | None = None) -> dict:
    """The page's first figures (after a pause or a resume too): rebuilt now, and shared with the refreshes."""
    snapshot = control_snapshot_build(product_id=product_id, now=now)
    cache.set(_key(product_id), snapshot, SNAPSHOT_SECONDS)
    return snapshot
