"""A drop's start: orders refused before `sale_starts_at`, and the waiting room that admits buyers fairly.

How the queue stays fair (DESIGN.md, «The waiting room»):
- Everyone who joins before the start gets a row without a slot and with a secret random key (`secrets`). The
  first reader after the start numbers those rows 0…n-1 in key order, once, in one statement, under the lock of
  the product's `DropQueue` row: joining at 9:59 is as good as at 9:45, and nobody learns a place before then.
- Later arrivals take the next slot at the tail, under the same lock; a slot is never one whose moment has
  passed, so a queue that ran empty does not bank admissions for a burst (a newcomer to an empty queue waits
  for the next slot's moment, at most `60 / queue_rate` seconds).
- Slot `s` is admitted at `start + s × 60 / queue_rate` seconds (to the microsecond, rounded down): admissions
  are spread evenly over each minute instead of opening it with a burst of orders, and any `queue_rate + 1`
  consecutive slots span exactly a minute, so no 60 seconds admit more than `queue_rate`. One account holds one
  slot (a unique row per account and product); the slot stays valid `QUEUE_ADMISSION_MINUTES`. An account whose
  admission lapsed may queue again, at the tail.

What a refresh costs: the signed token carries the slot and the admission moment, so reading one's place with
a valid token is no database query of its own and one cache read (the product's queue settings; with the
database cache that read is one query); without one it is one indexed read of the account's row more. Nothing is written on a refresh; the shuffle is written once per drop.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.services import buyer_verified_require
from catalog.models import Product
from catalog.selectors import ItemRequest
from config.russian import datetime_ru
from drops.errors import QueueAdmissionRequired, QueueRefused, SaleNotStarted
from drops.models import DropQueue, QueueEntry
from drops.pausing import sale_paused_check, schedule_cache_key

TOKEN_SALT = "drops.queue"
MINUTE_US = 60_000_000
SCHEDULE_CACHE_SECONDS = 5


# --- Sale start (orders) -----------------------------------------------------------------------------------------
def drop_sale_check(*, items: list[ItemRequest], now: datetime | None = None) -> None:
    """Refuse an order naming a product whose sale is paused or has not started (no query: the products are read
    already)."""
    now = now or timezone.now()
    for item in items:
        sale_paused_check(product=item.product)
        if item.product.is_draw:
            raise SaleNotStarted(
                f"«{item.product.name}» продаётся только через розыгрыш.",
                code="sale_by_draw",
                product=item.product.pk,
            )
    waiting = [item.product for item in items if not item.product.sale_started(now)]
    if waiting:
        product = waiting[0]
        starts = datetime_ru(product.sale_starts_at)
        raise SaleNotStarted(
            f"Продажи «{product.name}» начнутся {starts} (МСК).",
            product=product.pk,
            sale_starts_at=product.sale_starts_at.isoformat(),
        )


# --- The queue's schedule ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueSchedule:
    """What a refresh needs to know of the product, cached for a few seconds so refreshes read no database."""

    product_id: int
    running: bool
    starts_at: datetime | None
    rate: int
    paused: bool = False

    @property
    def opens_at(self) -> datetime | None:
        return self.starts_at - timedelta(minutes=settings.QUEUE_OPENS_BEFORE) if self.starts_at else None

    def slot_admit_at(self, slot: int) -> datetime:
        """Slot `s` at `start + s × 60 / rate` seconds, in whole microseconds (integers: no float drift)."""
        return self.starts_at + timedelta(microseconds=slot * MINUTE_US // self.rate)

    def admitted_slots(self, now: datetime) -> int:
        """How many slots are admitted by `now` (slots 0…n-1): those whose moment is not after `now`."""
        if now < self.starts_at:
            return 0
        elapsed = (now - self.starts_at) // timedelta(microseconds=1)
        # s is admitted when s × MINUTE_US // rate <= elapsed, i.e. s < (elapsed + 1) × rate / MINUTE_US.
        return -(-(elapsed + 1) * self.rate // MINUTE_US)


def _schedule_of(product: Product) -> QueueSchedule:
    return QueueSchedule(
        product_id=product.pk,
        running=product.has_queue,
        starts_at=product.sale_starts_at,
        rate=product.queue_rate,
        paused=product.sale_paused,
    )


def queue_schedule(*, product_id: int) -> QueueSchedule:
    """The visible product's queue settings from the shared cache (a few seconds old at most), else the
    database (`Product.DoesNotExist` for no visible product)."""
    key = schedule_cache_key(product_id)
    schedule = cache.get(key)
    if schedule is None:
        product = (
            Product.objects.visible()
            .only("pk", "queue_enabled", "sale_starts_at", "queue_rate", "sale_paused")
            .get(pk=product_id)
        )
        schedule = _schedule_of(product)
        cache.set(key, schedule, SCHEDULE_CACHE_SECONDS)
    return schedule


# --- A place in the queue ----------------------------------------------------------------------------------------
class PlaceStatus(StrEnum):
    WAITING = "waiting"
    ADMITTED = "admitted"
    CLOSED = "closed"  # no queue needed, or the admission lapsed


@dataclass(frozen=True, kw_only=True)
class QueuePlace:
    """What the waiting page and the API show: `status` is a `PlaceStatus`."""

    status: PlaceStatus
    position: int | None = None  # 1 = next to be admitted (or admitted); None before the start (drawn then)
    ahead: int | None = None
    admit_at: datetime | None = None
    admitted_until: datetime | None = None
    starts_at: datetime | None
    progress: int  # percent of the way from joining to being admitted
    token: str
    detail: str
    paused: bool = False

    def __post_init__(self):
        if self.paused and self.status != PlaceStatus.CLOSED:
            # The place is kept; the clock stops until staff resume the sale.
            object.__setattr__(self, "detail", f"Продажа приостановлена: место сохранится. {self.detail}")

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "position": self.position,
            "ahead": self.ahead,
            "admit_at": self.admit_at,
            "admitted_until": self.admitted_until,
            "sale_starts_at": self.starts_at,
            "progress": self.progress,
            "token": self.token,
            "detail": self.detail,
            "paused": self.paused,
        }


def _admission_window() -> timedelta:
    return timedelta(minutes=settings.QUEUE_ADMISSION_MINUTES)


def _token(
    *, user_id: int, product_id: int, slot: int | None, admit_at: datetime | None, starts_at: datetime | None
) -> str:
    # The start the place was computed against: a resumed pause moves the start, so an older token is not used.
    payload = {"u": user_id, "p": product_id, "t": starts_at.timestamp() if starts_at else None}
    if slot is not None:
        payload.update(s=slot, a=admit_at.timestamp())
    return signing.dumps(payload, salt=TOKEN_SALT)


def _token_read(token: str, *, user_id: int, product_id: int, starts_at: datetime | None) -> dict | None:
    """The token's place when it was signed by the shop for this account and this product; else None."""
    if not token or not isinstance(token, str) or len(token) > 500:
        return None
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=timedelta(days=2))
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("u") != user_id or payload.get("p") != product_id:
        return None
    if payload.get("t") != (starts_at.timestamp() if starts_at else None):
        return None
    return payload


def _place(
    *, schedule: QueueSchedule, user_id: int, slot: int | None, admit_at: datetime | None, now: datetime
) -> QueuePlace:
    token = _token(
        user_id=user_id, product_id=schedule.product_id, slot=slot, admit_at=admit_at, starts_at=schedule.starts_at
    )
    common = {"starts_at": schedule.starts_at, "token": token, "paused": schedule.paused}
    if not schedule.running:
        return QueuePlace(
            status=PlaceStatus.CLOSED, progress=100, detail="Очередь не нужна: товар можно заказать.", **common
        )
    if slot is None:
        return QueuePlace(
            status=PlaceStatus.WAITING,
            progress=0,
            detail="Вы в очереди. Места разыгрываются в момент старта: прийти раньше не нужно.",
            **common,
        )
    until = admit_at + _admission_window()
    if now >= until:
        return QueuePlace(
            status=PlaceStatus.CLOSED,
            ahead=0,
            admit_at=admit_at,
            admitted_until=until,
            progress=100,
            detail="Время на покупку по очереди истекло. Можно встать в очередь снова.",
            **common,
        )
    if now >= admit_at:
        return QueuePlace(
            status=PlaceStatus.ADMITTED,
            position=1,
            ahead=0,
            admit_at=admit_at,
            admitted_until=until,
            progress=100,
            detail="Ваша очередь подошла: оформите заказ.",
            **common,
        )
    # Slots above the admitted ones are all taken (a gap only opens below them), so `ahead` is exact.
    admitted = schedule.admitted_slots(now)
    ahead = max(slot - admitted, 0)
    return QueuePlace(
        status=PlaceStatus.WAITING,
        position=ahead + 1,
        ahead=ahead,
        admit_at=admit_at,
        progress=min(99, round(100 * admitted / (slot + 1))),
        detail="Вы в очереди. Страница обновится сама.",
        **common,
    )


def queue_start(*, product_id: int, now: datetime | None = None) -> None:
    """At the start, once: everyone who joined before it gets a random slot, first come or last alike."""
    now = now or timezone.now()
    if DropQueue.objects.filter(pk=product_id, shuffled_at__isnull=False).exists():
        return  # the usual case after the start: one indexed read, no lock
    with transaction.atomic():
        queue, _ = DropQueue.objects.get_or_create(product_id=product_id)
        queue = DropQueue.objects.select_for_update().get(pk=queue.pk)
        if queue.shuffled_at is not None:
            return
        product = Product.objects.only("pk", "queue_enabled", "sale_starts_at", "queue_rate", "sale_paused").get(
            pk=product_id
        )
        schedule = _schedule_of(product)
        if not schedule.running or now < schedule.starts_at:
            return
        drawn = _draw(product_id=product_id)
        # Every slot its own moment: one read of the drawn rows and a CASE update per 500 of them.
        rows = list(QueueEntry.objects.filter(product_id=product_id, slot__isnull=False).only("pk", "slot"))
        for row in rows:
            row.admit_at = schedule.slot_admit_at(row.slot)
        QueueEntry.objects.bulk_update(rows, ["admit_at"], batch_size=500)
        queue.shuffled_at, queue.tail = now, drawn
        queue.save(update_fields=["shuffled_at", "tail"])


def _draw(*, product_id: int) -> int:
    """Number the early rows 0…n-1 in the order of their secret random `draw` keys, in one statement (the keys
    are never shown, so the order is unknown to everyone until now); returns n."""
    table = connection.ops.quote_name(QueueEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET slot = ranked.place - 1 "
            f"FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY draw, id) AS place FROM {table} "
            f"WHERE product_id = %s AND slot IS NULL) AS ranked "
            f"WHERE {table}.id = ranked.id",
            [product_id],
        )
        return cursor.rowcount


def _slot_take(*, schedule: QueueSchedule, now: datetime) -> tuple[int, datetime]:
    """The next slot at the tail (the caller holds the queue row's lock), never one whose moment has passed: every
    slot is admitted at its own moment, so at most `queue_rate` fall in any 60 seconds."""
    queue = DropQueue.objects.select_for_update().get(product_id=schedule.product_id)
    slot = max(queue.tail, schedule.admitted_slots(now))
    queue.tail = slot + 1
    queue.save(update_fields=["tail"])
    return slot, schedule.slot_admit_at(slot)


def queue_join(*, product: Product, user, ip: str | None = None, now: datetime | None = None) -> QueuePlace:
    """Take the account's one place in the product's waiting room (joining again returns the same place).

    Only a verified buyer joins (`buyer_verified_require`): places count people, not accounts. The client's
    address is never the identity (a mobile carrier puts thousands of buyers behind one), so no per-address
    limit applies; it is kept on the row for staff to read. Refused before the queue opens (`QUEUE_OPENS_BEFORE`
    minutes before the start). After the start the place is at the tail; an account whose admission lapsed goes
    to the tail again.
    """
    now = now or timezone.now()
    schedule = _schedule_of(product)
    if not schedule.running:
        return _place(schedule=schedule, user_id=user.pk, slot=None, admit_at=None, now=now)
    buyer_verified_require(user)
    sale_paused_check(product=product)
    if now < schedule.opens_at:
        opens = datetime_ru(schedule.opens_at)
        raise QueueRefused(
            f"Очередь откроется {opens} (МСК).", code="queue_not_open", opens_at=schedule.opens_at.isoformat()
        )
    if now >= schedule.starts_at:
        queue_start(product_id=product.pk, now=now)
    entry = QueueEntry.objects.filter(product=product, user=user).first()
    if entry is None:
        entry = _entry_create(schedule=schedule, product=product, user=user, ip=ip, now=now)
    elif entry.admit_at is not None and now >= entry.admit_at + _admission_window():
        with transaction.atomic():
            entry.slot, entry.admit_at = _slot_take(schedule=schedule, now=now)
            entry.save(update_fields=["slot", "admit_at"])
    return _place(schedule=schedule, user_id=user.pk, slot=entry.slot, admit_at=entry.admit_at, now=now)


def _entry_create(*, schedule: QueueSchedule, product: Product, user, ip, now: datetime) -> QueueEntry:
    try:
        with transaction.atomic():
            entry = QueueEntry(product=product, user=user, ip=ip or None, draw=secrets.randbits(62))
            if now >= schedule.starts_at:
                entry.slot, entry.admit_at = _slot_take(schedule=schedule, now=now)
            else:
                DropQueue.objects.get_or_create(product=product)
            entry.save(force_insert=True)
            return entry
    except IntegrityError:
        # The same account joined at the same moment from elsewhere: one place, the one already taken.
        return QueueEntry.objects.get(product=product, user=user)


def queue_place(*, product_id: int, user, token: str = "", now: datetime | None = None) -> QueuePlace | None:
    """The account's place (None when it has none). A valid token for this account and product answers
    without the database; otherwise the account's row is read (and the start's shuffle done, once)."""
    now = now or timezone.now()
    schedule = queue_schedule(product_id=product_id)
    payload = _token_read(token, user_id=user.pk, product_id=product_id, starts_at=schedule.starts_at)
    # A queue that does not run (no start any more) is asked first: it has no start to compare with.
    if payload is not None and (not schedule.running or "s" in payload or now < schedule.starts_at):
        admit_at = datetime.fromtimestamp(payload["a"], tz=UTC) if "s" in payload else None
        return _place(schedule=schedule, user_id=user.pk, slot=payload.get("s"), admit_at=admit_at, now=now)
    row = QueueEntry.objects.filter(product_id=product_id, user=user).values_list("slot", "admit_at").first()
    if row is None:
        return None
    slot, admit_at = row
    if slot is None and schedule.running and now >= schedule.starts_at:
        queue_start(product_id=product_id, now=now)
        slot, admit_at = (
            QueueEntry.objects.filter(product_id=product_id, user=user).values_list("slot", "admit_at").get()
        )
    return _place(schedule=schedule, user_id=user.pk, slot=slot, admit_at=admit_at, now=now)


# --- Admission (orders) --------------------------------------------------------------------------------------------
def queue_admission_check(*, user, items: list[ItemRequest], now: datetime | None = None) -> None:
    """Refuse an order for a product whose waiting room runs unless the account's place is admitted now.

    The database row decides, never a token a client sends; one query per queued product, none otherwise.
    """
    now = now or timezone.now()
    for product in {item.product.pk: item.product for item in items if item.product.has_queue}.values():
        admit_at = QueueEntry.objects.filter(product=product, user=user).values_list("admit_at", flat=True).first()
        if admit_at is None or not admit_at <= now < admit_at + _admission_window():
            raise QueueAdmissionRequired(
                f"«{product.name}» сейчас продаётся через очередь: встаньте в очередь и дождитесь своей минуты.",
                product=product.pk,
            )
