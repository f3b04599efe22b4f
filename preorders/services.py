"""Preorder rules: waves as the one source of truth, allocation of units, wave lifecycle, the waitlist."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.formats import date_format

from accounts.phones import phone_normalize
from accounts.sms import sms_enqueue, sms_signed
from catalog.errors import InvalidSize
from catalog.models import Product, ProductStock
from preorders.errors import WaitlistRefused, WaveCapacityExceeded, WaveChangeRefused, WaveTransitionRefused
from preorders.models import PreorderWave, WaitlistEntry, WaveStatus
from preorders.signals import wave_status_changed


# --- Wave setup (staff) ---------------------------------------------------------------------------------------
@transaction.atomic
def product_sync_waves(*, product: Product, capacity_changed: bool = True) -> list[PreorderWave]:
    """Make a preorder product's waves match `preorder_waves_total` × `preorder_wave_capacity`.

    Missing waves are added; a future wave (still collecting, nothing allocated) takes the new capacity. Waves
    that already hold units are never shrunk below their count nor removed. A `waiting` product that gains a
    wave with room takes preorders again, and its waitlist hears about it.

    Callers that know the product's wave capacity did not change pass `capacity_changed=False`: a capacity
    staff gave one wave of their own (`wave_add`, `wave_set_capacity`) then stays.
    """
    if not product.is_preorder or product.preorder_waves_total < 1:
        return list(product.waves.all())
    product_lock(product_id=product.pk)
    waves = {
        w.wave_number: w
        for w in PreorderWave.objects.select_for_update(of=("self",)).filter(product=product).order_by("pk")
    }
    last = max(waves, default=0)
    for number in range(last + 1, product.preorder_waves_total + 1):
        waves[number] = PreorderWave.objects.create(
            product=product, wave_number=number, capacity=product.preorder_wave_capacity
        )
    for wave in waves.values() if capacity_changed else ():
        if (
            wave.status == WaveStatus.COLLECTING
            and wave.current_count == 0
            and wave.capacity != product.preorder_wave_capacity
        ):
            wave.capacity = product.preorder_wave_capacity
            wave.save(update_fields=["capacity", "updated_at"])
    product_refresh_preorder_state(product=product, waves=list(waves.values()))
    if product.order_type == Product.OrderType.PREORDER:
        waitlist_notify(product=product)
    return sorted(waves.values(), key=lambda w: w.wave_number)


def product_lock(*, product_id: int) -> Product:
    """Lock a product row before its waves: the order every writer of waves follows (orders do too)."""
    return Product.objects.select_for_update(of=("self",)).get(pk=product_id)


def waves_next_number(*, product: Product) -> int:
    return (product.waves.aggregate(n=Max("wave_number"))["n"] or 0) + 1


# --- Waitlist (customers) ---------------------------------------------------------------------------------------
def waitlist_join(*, product: Product, phone: str, size: str = "", user=None) -> WaitlistEntry:
    """Leave a phone to hear, once, when a sold-out size of an in-stock product is back, or when a waiting
    product opens a new wave (its size is not kept: a wave takes every size). Joining twice is one entry.

    Refused (`waitlist_not_needed`) when the size is on hand or the product takes orders; `unknown_size` for a
    size the product does not offer.
    """
    phone = phone_normalize(phone)
    size = (size or "").strip()
    if product.order_type == Product.OrderType.IN_STOCK:
        labels = product.size_labels
        if not size and len(labels) == 1:
            size = labels[0]
        if size not in labels:
            raise InvalidSize(f"Выберите размер: {', '.join(labels)}.", product=product.pk, sizes=labels)
        if ProductStock.objects.filter(product=product, size=size, quantity__gt=0).exists():
            raise WaitlistRefused(f"Размер {size} есть в наличии: его можно заказать сейчас.")
    elif product.order_type == Product.OrderType.WAITING:
        size = ""
    else:
        raise WaitlistRefused("Предзаказ открыт: товар можно заказать сейчас.")
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(product=product, size=size, phone=phone, user=user)
    except IntegrityError:
        return WaitlistEntry.objects.get(product=product, size=size, phone=phone)


def _waitlist_tell(*, entries, text: str) -> int:
    """Mark the entries told and queue one SMS each: the lock and the `notified_at IS NULL` filter make it once."""
    rows = list(
        entries.select_for_update().filter(notified_at__isnull=True).order_by("pk").values_list("pk", "phone")
    )
    if not rows:
        return 0
    WaitlistEntry.objects.filter(pk__in=[pk for pk, _ in rows]).update(notified_at=timezone.now())
    for _, phone in rows:
        sms_enqueue(phone=phone, text=text)
    return len(rows)


@transaction.atomic
def waitlist_notify_sizes(*, product_id: int, sizes) -> int:
    """Sizes of an in-stock product have units again: tell each phone waiting for them, once (the worker sends
    the SMS after commit). Costs one indexed read when nobody waits."""
    entries = WaitlistEntry.objects.filter(product_id=product_id, size__in=list(sizes))
    if not entries.filter(notified_at__isnull=True).exists():
        return 0
    product = Product.objects.only("pk", "name", "slug").get(pk=product_id)
    url = f"{settings.SITE_URL}{product.get_absolute_url()}"
    told = 0
    for size in sorted(set(sizes)):
        text = sms_signed(f"«{product.name}», размер {size}, снова в наличии: {url}")
        told += _waitlist_tell(entries=entries.filter(size=size), text=text)
    return told


# --- Allocation of units to waves (orders) ---------------------------------------------------------------------
def waves_lock(*, product_ids) -> dict[int, list[PreorderWave]]:
    """Lock the waves of these products in primary-key order (the order every allocator and releaser uses)."""
    product_ids = set(product_ids)
    waves: dict[int, list[PreorderWave]] = {product_id: [] for product_id in product_ids}
    if not product_ids:
        return waves
    for wave in (
        PreorderWave.objects.select_for_update(of=("self",)).filter(product_id__in=product_ids).order_by("pk")
    ):
        waves[wave.product_id].append(wave)
    return waves


def waves_free_units(*, product: Product, waves: list[PreorderWave]) -> int:
    """Units the product's open waves can still take; a `waiting` (or in-stock) product takes none."""
    if product.order_type != Product.OrderType.PREORDER:
        return 0
    return sum(wave.free for wave in product.open_waves(waves))


def waves_allocate(
    *, product: Product, waves: list[PreorderWave], quantity: int
) -> list[tuple[PreorderWave, int]]:
    """Put `quantity` units into the open waves in wave order, splitting over consecutive waves.

    Takes locked waves (see `waves_lock`) and returns (wave, units) pairs. Each count moves by a conditional
    update that the table's `current_count <= capacity` check backs; nothing is allocated if all waves
    together cannot take the units.
    """
    if quantity > waves_free_units(product=product, waves=waves):
        raise WaveCapacityExceeded(available=waves_free_units(product=product, waves=waves))
    allocations = []
    left = quantity
    for wave in product.open_waves(waves):
        units = min(wave.free, left)
        taken = (
            PreorderWave.objects.of_products([product.pk])
            .filter(pk=wave.pk, status=WaveStatus.COLLECTING, current_count__lte=F("capacity") - units)
            .update(current_count=F("current_count") + units)
        )
        if not taken:
            raise WaveCapacityExceeded(available=0)
        wave.current_count += units
        allocations.append((wave, units))
        left -= units
        if not left:
            break
    return allocations


def waves_release(*, units: dict[int, int]) -> None:
    """Give units back to their waves ({wave id: units}); a `waiting` product with room again takes preorders."""
    units = {wave_id: count for wave_id, count in units.items() if count > 0}
    if not units:
        return
    released = list(PreorderWave.objects.select_for_update(of=("self",)).filter(pk__in=units).order_by("pk"))
    for wave in released:
        PreorderWave.objects.of_products([wave.product_id]).filter(pk=wave.pk).update(
            current_count=Greatest(F("current_count") - units[wave.pk], 0)
        )
    product_ids = {wave.product_id for wave in released}
    waves: dict[int, list[PreorderWave]] = {product_id: [] for product_id in product_ids}
    for wave in PreorderWave.objects.filter(product_id__in=product_ids):
        waves[wave.product_id].append(wave)
    for product in Product.objects.filter(pk__in=product_ids).order_by("pk"):
        product_refresh_preorder_state(product=product, waves=waves[product.pk])


def product_refresh_preorder_state(*, product: Product, waves: list[PreorderWave] | None = None) -> Product:
    """Derive `preorder`/`waiting` from the waves: waiting when no wave takes units, preorder when one has room.

    An in-stock product, or one without waves, is left as it is. Pass `waves` only with a product read under its
    lock (as orders do); without them both are read afresh.
    """
    if waves is None:
        product.order_type = Product.objects.filter(pk=product.pk).values_list("order_type", flat=True).get()
        waves = list(PreorderWave.objects.filter(product=product))
    if not waves or not product.is_preorder:
        return product
    if product.open_waves(waves):
        old, new = Product.OrderType.WAITING, Product.OrderType.PREORDER
    else:
        old, new = Product.OrderType.PREORDER, Product.OrderType.WAITING
    # Callers read the product under its lock: when it already is what the waves say, there is nothing to write.
    rows = Product.objects.of_products([product.pk]).filter(pk=product.pk, order_type=old)
    if product.order_type == old and rows.update(order_type=new):
        product.order_type = new
    return product


# --- Wave lifecycle (staff) ----------------------------------------------------------------------------------------
# Statuses only move forward, in this order; a step may be skipped (production straight to completed).
WAVE_STATUS_FLOW = [WaveStatus.COLLECTING, WaveStatus.PRODUCTION, WaveStatus.SHIPPING, WaveStatus.COMPLETED]
#: The statuses a wave may start in: it has no orders yet, so nobody is told anything.
WAVE_ADD_STATUSES = WAVE_STATUS_FLOW[:2]

# What the customer reads in the timeline and the SMS when staff give no message of their own.
WAVE_STATUS_MESSAGES = {
    WaveStatus.COLLECTING: "Волна {wave} собирает заказы.",
    WaveStatus.PRODUCTION: "Волна {wave} собрана и передана в производство.",
    WaveStatus.SHIPPING: "Волна {wave} готова: заказы передаются в доставку.",
    WaveStatus.COMPLETED: "Волна {wave} завершена: все заказы отправлены.",
}


def wave_change_check(*, wave: PreorderWave, status: str | None = None, capacity: int | None = None) -> None:
    """Refuse a wave change the rules do not allow: a status that does not move forward, a capacity changed once
    collecting ended or set below what the wave holds (and below 1). A refused status is a
    `WaveTransitionRefused`, a refused capacity a `WaveChangeRefused`."""
    if status is not None:
        if status not in WAVE_STATUS_FLOW:
            raise WaveTransitionRefused("Неизвестный статус волны.", code="invalid_wave_status")
        if WAVE_STATUS_FLOW.index(status) <= WAVE_STATUS_FLOW.index(wave.status):
            raise WaveTransitionRefused(
                f"Волну {wave.wave_number} нельзя перевести из статуса «{wave.get_status_display()}» "
                f"в «{WaveStatus(status).label}»: статусы меняются только вперёд.",
                current=wave.status,
            )
    if capacity is not None and capacity != wave.capacity:
        if wave.status != WaveStatus.COLLECTING:
            raise WaveChangeRefused(
                f"Ёмкость волны {wave.wave_number} уже не меняется: волна не собирает заказы.",
                code="wave_capacity_locked",
            )
        if capacity < max(wave.current_count, 1):
            raise WaveChangeRefused(
                f"Ёмкость волны {wave.wave_number} не может быть меньше {max(wave.current_count, 1)}: "
                f"столько уже заказано.",
                code="invalid_wave_capacity",
            )


def wave_ships_on_text(*, wave: PreorderWave) -> str:
    """« Отправка ожидается 27 ноября 2026.» for a wave with a ship date, else nothing."""
    return f" Отправка ожидается {date_format(wave.ships_on, 'j E Y')}." if wave.ships_on else ""


def wave_status_message(*, wave: PreorderWave, status: str) -> str:
    """The standard message of a status; until the wave ships it also says when it is expected to."""
    text = WAVE_STATUS_MESSAGES[status].format(wave=wave.wave_number)
    if status in (WaveStatus.COLLECTING, WaveStatus.PRODUCTION):
        text += wave_ships_on_text(wave=wave)
    return text


@transaction.atomic
def wave_set_status(*, wave: PreorderWave, status: str, message: str = "") -> PreorderWave:
    """Move a wave forward (collecting → production → shipping → completed) and tell its customers.

    Every order with a line in the wave (but cancelled or refunded ones) gets a timeline entry with the message
    (the standard one for the status when staff write none) and an SMS: `wave_status_changed` carries the news
    to the orders app, in this transaction. A completed wave keeps the moment it
    completed. A wave that stops collecting takes no more units, so its product may turn `waiting`.
    """
    product_lock(product_id=wave.product_id)
    locked = PreorderWave.objects.select_for_update(of=("self",)).select_related("product").get(pk=wave.pk)
    wave_change_check(wave=locked, status=status)
    locked.status = status
    fields = ["status", "updated_at"]
    if status == WaveStatus.COMPLETED:
        locked.completed_at = timezone.now()
        fields.append("completed_at")
    locked.save(update_fields=fields)

    text = (message or "").strip() or wave_status_message(wave=locked, status=status)
    # The orders app writes each live order's timeline entry and tells its customer.
    wave_status_changed.send(sender=PreorderWave, wave=locked, status=status, message=text)

    if locked.product.order_type == Product.OrderType.PREORDER:
        product_refresh_preorder_state(product=locked.product)
    for field in ("status", "completed_at", "updated_at"):
        setattr(wave, field, getattr(locked, field))
    return locked


@transaction.atomic
def wave_add(
    *, product: Product, capacity: int | None = None, ships_on=None, status: str = WaveStatus.COLLECTING
) -> PreorderWave:
    """Add the next wave to a preorder product (of `capacity` units, the product's wave capacity by default),
    with its ship date and status (collecting by default) as staff give them.

    A `waiting` product takes preorders again, and its waitlist hears about it by SMS.
    """
    locked = product_lock(product_id=product.pk)
    if not locked.is_preorder:
        raise WaveChangeRefused("Волны добавляются только к товарам предзаказа.", code="not_preorder")
    capacity = locked.preorder_wave_capacity if capacity is None else capacity
    if capacity < 1:
        raise WaveChangeRefused("Ёмкость волны должна быть не меньше 1.", code="invalid_wave_capacity")
    if status not in WAVE_ADD_STATUSES:
        raise WaveTransitionRefused(
            "Новая волна собирает заказы или уже в производстве.", code="invalid_wave_status", field="status"
        )
    wave = PreorderWave.objects.create(
        product=locked,
        wave_number=waves_next_number(product=locked),
        capacity=capacity,
        ships_on=ships_on,
        status=status,
    )
    if locked.preorder_waves_total < wave.wave_number:
        locked.preorder_waves_total = wave.wave_number
        locked.save(update_fields=["preorder_waves_total", "updated_at"])
    product_refresh_preorder_state(product=locked)
    if locked.order_type == Product.OrderType.PREORDER:
        waitlist_notify(product=locked)
    product.preorder_waves_total, product.order_type = locked.preorder_waves_total, locked.order_type
    return wave


@transaction.atomic
def wave_set_capacity(*, wave: PreorderWave, capacity: int) -> PreorderWave:
    """Change the capacity of a wave still collecting: never below what it already holds, never below 1.

    A waiting product whose wave gains room takes preorders again (and its waitlist hears about it).
    """
    product_lock(product_id=wave.product_id)
    locked = PreorderWave.objects.select_for_update(of=("self",)).select_related("product").get(pk=wave.pk)
    if locked.capacity == capacity:
        return locked
    wave_change_check(wave=locked, capacity=capacity)
    PreorderWave.objects.filter(pk=locked.pk).update(capacity=capacity, updated_at=timezone.now())
    locked.capacity = wave.capacity = capacity
    product = product_refresh_preorder_state(product=locked.product)
    if product.order_type == Product.OrderType.PREORDER:
        waitlist_notify(product=product)
    return locked


_UNCHANGED = object()


@transaction.atomic
def wave_update(
    *,
    wave: PreorderWave,
    capacity: int | None = None,
    status: str | None = None,
    message: str = "",
    ships_on=_UNCHANGED,
) -> PreorderWave:
    """Staff's edit of one wave: the ship date and capacity first, then the status and what its customers are
    told (a ship date set before a status change is in that message's timeline)."""
    if ships_on is not _UNCHANGED and ships_on != wave.ships_on:
        PreorderWave.objects.filter(pk=wave.pk).update(ships_on=ships_on, updated_at=timezone.now())
        wave.ships_on = ships_on
    if capacity is not None and capacity != wave.capacity:
        wave_set_capacity(wave=wave, capacity=capacity)
    if status and status != wave.status:
        wave_set_status(wave=wave, status=status, message=message)
    return wave


@transaction.atomic
def waitlist_notify(*, product: Product) -> int:
    """Tell everyone on the product's waitlist, once each, that preorders are open again; returns how many."""
    url = f"{settings.SITE_URL}{product.get_absolute_url()}"
    text = sms_signed(f"открыта новая волна предзаказа «{product.name}». Успейте заказать: {url}")
    return _waitlist_tell(entries=WaitlistEntry.objects.filter(product=product), text=text)
