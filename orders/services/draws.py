"""A draw's payments and orders: the entry's hold, and the draw that captures winners' holds and cancels the rest.

The rules (who may enter, the drawn order, the units) are `drops.draws`; this module is where they meet YooKassa
and the orders, since a winner's hold becomes a paid order (with its receipt, delivery and timeline).

How a draw survives a crash: every step is a conditional state update of one entry, committed on its own, and
every call to YooKassa has an idempotence key derived from the entry or its order. The order is fixed once
(`draw_fix_order`); then entries are taken in drawn order, in batches, each `entered → winning → won` (its order
placed under the entry's key, its hold captured with the order's key) or `entered → losing → lost` (its hold
cancelled under the entry's key). A runner that dies leaves at most one entry in `winning` or `losing`; the next
run (its lease lapsed) repeats that entry's calls, which YooKassa answers as the first time, and moves it once.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks import task

from accounts.sms import sms_enqueue, sms_signed
from catalog.errors import OutOfStock
from catalog.models import Product
from config.money import rub
from drops import draws as rules
from drops.errors import DrawRefused
from drops.models import Draw, DrawEntry, DrawEntryStatus
from orders import payments
from orders.models import Order, PaymentStatus
from orders.payments import PaymentNotFound, PaymentUnavailable
from orders.services.lifecycle import order_event_add, order_mark_paid, order_payment_canceled
from orders.services.paying import PAYMENT_HANDLERS
from orders.services.placing import Delivery, order_delivery_choose, order_place_for_hold

logger = logging.getLogger("dwc.draws")

S = DrawEntryStatus
BATCH = 50


def _entry_key(entry: DrawEntry, purpose: str) -> str:
    return str(uuid.uuid5(entry.payment_key, purpose))


# --- Entering -----------------------------------------------------------------------------------------------------
def draw_enter(
    *,
    product: Product,
    user,
    size: str,
    delivery_method: str = "",
    delivery_address: str = "",
    city: str = "",
    cdek_point: str = "",
) -> DrawEntry:
    """Enter the product's draw: the entry and its hold (`capture: false`, methods that can hold only).

    The entry is `pending` until YooKassa says the money is held (`draw_payment_apply`). An account whose pending
    entry has no payment yet (YooKassa did not answer) gets the payment made again under the same key.
    """
    label = rules.draw_entry_check(product=product, user=user, size=size)
    entry = rules.draw_entry_of(product_id=product.pk, user=user)
    if entry is None or entry.status == S.CANCELLED or entry.payment_id:
        delivery = order_delivery_choose(
            items=[{"product": product.pk, "quantity": 1}],
            method=delivery_method,
            address=delivery_address,
            cdek_point=cdek_point,
            city=city,
        )
        entry = rules.draw_entry_create(
            product=product, user=user, size=label, delivery=delivery, city=city, price=product.price
        )
    _hold_create(entry=entry, product=product)
    entry.refresh_from_db()
    return entry


def _hold_create(*, entry: DrawEntry, product: Product) -> None:
    try:
        payment = payments.hold_create(
            amount=entry.amount,
            description=f"Розыгрыш «{product.name}», размер {entry.size}",
            metadata={"draw_entry": str(entry.pk)},
            return_url=f"{settings.SITE_URL}{product.get_absolute_url()}draw/",
            key=str(entry.payment_key),
        )
    except PaymentUnavailable:
        logger.warning("The hold of draw entry %s could not be created; it stays pending", entry.pk)
        return
    url = payment.confirmation.confirmation_url if payment.confirmation else ""
    DrawEntry.objects.filter(pk=entry.pk, payment_id="").update(payment_id=payment.id, payment_url=url)


def draw_entry_refresh(*, entry: DrawEntry) -> DrawEntry:
    """Read a pending entry's payment back from YooKassa and apply it (a lost notification, a return from the
    payment page). YooKassa not answering leaves it as it is."""
    if entry.status == S.PENDING and entry.payment_id:
        try:
            draw_payment_apply(payment=payments.payment_find(entry.payment_id))
        except (PaymentUnavailable, PaymentNotFound):
            logger.info("Draw entry %s: its payment could not be read now", entry.pk)
        entry.refresh_from_db()
    return entry


def draw_payment_apply(*, payment) -> DrawEntry | None:
    """Apply a hold as read from the API to its entry (a notification names it by `metadata.draw_entry`).

    Held (`waiting_for_capture`) for the entry's amount → `entered` until the draw fixes its order; a hold for an
    entry that is cancelled (withdrawn, or still pending when the order was fixed) is released. Canceled → the pending entry is cancelled.
    """
    raw = str((payment.metadata or {}).get("draw_entry") or "")
    entry = DrawEntry.objects.select_related("draw__product").filter(pk=int(raw) if raw.isdigit() else 0).first()
    if entry is None or entry.payment_id != payment.id:
        logger.warning("Payment %s names no draw entry of ours; ignored", payment.id)
        return None
    amount = payment.amount
    amount_ok = amount is not None and amount.currency == "RUB" and Decimal(str(amount.value)) == entry.amount
    if payment.status == PaymentStatus.WAITING_FOR_CAPTURE and amount_ok:
        # The entry was made while entries were open; its hold counts until the draw fixes its order (a notification
        # that came late, or was lost and is read back by the runner). From then on no pending entry is left.
        if entry.draw.product.draw_closes_at is not None and entry.draw.drawn_at is None:
            expires = _moment(getattr(payment, "expires_at", None))
            if rules.entry_move(entry_id=entry.pk, sources=[S.PENDING], target=S.ENTERED, hold_expires_at=expires):
                logger.info("Draw entry %s entered: the money is held", entry.pk)
        else:
            rules.entry_move(entry_id=entry.pk, sources=[S.PENDING], target=S.CANCELLED)
        if DrawEntry.objects.filter(pk=entry.pk, status=S.CANCELLED).exists():
            _entry_hold_release(entry=entry)  # a hold for a withdrawn or late entry goes back
    elif payment.status == PaymentStatus.CANCELED:
        rules.entry_move(entry_id=entry.pk, sources=[S.PENDING], target=S.CANCELLED)
    entry.refresh_from_db()
    return entry


def _moment(text) -> datetime | None:
    if not text:
        return None
    if isinstance(text, datetime):
        return text
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _entry_hold_release(*, entry: DrawEntry) -> bool:
    """Cancel the entry's hold (idempotent by the entry's key); True when it is released or was never held, and
    then the entry says so (`hold_released_at`). False leaves the release owed: `draw_holds_release_due` retries."""
    released = _hold_cancel(entry)
    if released:
        DrawEntry.objects.filter(pk=entry.pk, hold_released_at=None).update(hold_released_at=timezone.now())
    return released


def _hold_cancel(entry: DrawEntry) -> bool:
    if not entry.payment_id:
        return True
    try:
        payments.hold_cancel(payment_id=entry.payment_id, key=_entry_key(entry, "cancel"))
        return True
    except PaymentUnavailable:
        try:
            current = payments.payment_find(entry.payment_id)
        except (PaymentUnavailable, PaymentNotFound):
            return False
        # Already canceled (or never held): nothing to release.
        return current.status in (PaymentStatus.CANCELED, PaymentStatus.PENDING)


def draw_holds_release_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Release the holds still owed to cancelled and lost entries (YooKassa did not answer at the time), so no
    customer's money stays frozen until the bank lets it go; how many were released now."""
    now = now or timezone.now()
    owed = DrawEntry.objects.filter(
        status__in=(S.CANCELLED, S.LOST), hold_released_at=None, updated_at__lt=now - timedelta(minutes=1)
    ).order_by("updated_at")[:limit]
    released = 0
    for entry in owed:
        if not _entry_hold_release(entry=entry):
            break  # YooKassa is still silent: the next round goes on
        released += 1
    return released


def draw_entry_cancel(*, entry: DrawEntry, now: datetime | None = None) -> DrawEntry:
    """The buyer withdraws before the close: the entry is cancelled and its hold released."""
    now = now or timezone.now()
    product = entry.draw.product
    if product.draw_closes_at is None or now >= product.draw_closes_at:
        raise DrawRefused("Приём заявок закрыт: отменить участие уже нельзя.", code="draw_closed")
    if not rules.entry_move(entry_id=entry.pk, sources=[S.PENDING, S.ENTERED], target=S.CANCELLED):
        raise DrawRefused("Эту заявку уже нельзя отменить.", code="draw_entry_final")
    _entry_hold_release(entry=entry)
    entry.refresh_from_db()
    return entry


# --- The draw -------------------------------------------------------------------------------------------------------
@dataclass
class DrawRun:
    """What one run did: entries moved now, and whether the draw is finished."""

    won: int = 0
    lost: int = 0
    passed_on: int = 0
    skipped: int = 0
    finished: bool = False
    busy: bool = False  # another runner holds the lease, or the sale is paused, or it is not time yet


def draw_run(
    *, product_id: int, now: datetime | None = None, batch: int = BATCH, stop_after: int | None = None
) -> DrawRun:
    """Run (or continue) the product's draw once entries are closed. Safe to call from anywhere, any number of
    times, concurrently: one runner holds the lease; everything it does is idempotent (see the module).

    `stop_after` ends the run after that many entries moved (tests interrupt a draw with it).
    """
    report = DrawRun()
    now = now or timezone.now()
    product = Product.objects.get(pk=product_id)
    draw = rules.draw_for(product=product)
    if draw.finished_at is not None:
        report.finished = True
        return report
    if product.sale_paused or product.draw_closes_at is None or now < product.draw_closes_at:
        report.busy = True
        return report
    if not rules.draw_lease_take(product_id=product_id):
        report.busy = True
        return report
    _pending_settle(draw=draw)
    rules.draw_fix_order(product_id=product_id, now=now)
    draw.refresh_from_db()
    moved = 0
    while True:
        entries = list(
            DrawEntry.objects.filter(draw=draw, rank__isnull=False, status__in=(S.ENTERED, S.WINNING, S.LOSING))
            .select_related("user")
            .order_by("rank")[:batch]
        )
        if not entries:
            break
        for entry in entries:
            if stop_after is not None and moved >= stop_after:
                return report
            outcome = _entry_draw(entry=entry, draw=draw, product=product)
            if outcome is None:  # YooKassa does not answer: the next round continues
                return report
            moved += 1
            setattr(report, outcome, getattr(report, outcome) + 1)
        # The lease renewed for the next batch.
        Draw.objects.filter(pk=product_id).update(runner_until=timezone.now() + rules.LEASE)
    report.finished = rules.draw_finish(product_id=product_id)
    return report


def _pending_settle(*, draw: Draw) -> None:
    """Before the order is fixed: pending entries whose hold did arrive are read back (a lost notification); those
    still without a hold take no part (a hold that comes later is released)."""
    for entry in DrawEntry.objects.filter(draw=draw, status=S.PENDING).exclude(payment_id=""):
        draw_entry_refresh(entry=entry)
    DrawEntry.objects.filter(draw=draw, status=S.PENDING).update(status=S.CANCELLED, updated_at=timezone.now())


def _entry_draw(*, entry: DrawEntry, draw: Draw, product: Product) -> str | None:
    """Move one entry in drawn order; the outcome's name (`won`, `lost`, `passed_on`), None to stop for now."""
    if entry.status == S.ENTERED:
        left = rules.draw_units_left(draw=draw).get(entry.size, 0)
        target = S.WINNING if left > 0 else S.LOSING
        if not rules.entry_move(entry_id=entry.pk, sources=[S.ENTERED], target=target):
            entry.refresh_from_db()
        else:
            entry.status = target
    if entry.status == S.WINNING:
        return _entry_win(entry=entry, product=product)
    if entry.status == S.LOSING:
        if not _entry_hold_release(entry=entry):
            return None
        if rules.entry_move(entry_id=entry.pk, sources=[S.LOSING], target=S.LOST):
            _tell(entry, product, won=False)
        return "lost"
    return "skipped"  # another runner moved it meanwhile


def _entry_win(*, entry: DrawEntry, product: Product) -> str | None:
    delivery = Delivery(
        method=entry.delivery_method,
        amount=entry.delivery_amount,
        address=entry.delivery_address,
        point_code=entry.cdek_point,
        point_name=entry.cdek_point_name,
        point_address=entry.cdek_point_address,
    )
    try:
        order = order_place_for_hold(
            user=entry.user,
            product=product,
            size=entry.size,
            price=entry.price,
            delivery=delivery,
            payment_id=entry.payment_id,
            key=f"draw-entry:{entry.pk}",
        )
    except OutOfStock:
        # Staff took the unit away meanwhile: the entry loses, its hold is released.
        return _entry_pass_on(entry=entry, product=product, order=None)
    try:
        captured = payments.hold_capture(order=order, payment_id=entry.payment_id)
    except PaymentUnavailable:
        try:
            captured = payments.payment_find(entry.payment_id)
        except (PaymentUnavailable, PaymentNotFound):
            return None
    if captured.status == PaymentStatus.SUCCEEDED:
        # One SMS tells the winner both (`_tell`); a runner that starts again after the capture adds nothing twice.
        if order_mark_paid(order=order, payment_id=entry.payment_id):
            order_event_add(order=order, message=f"Выигрыш в розыгрыше «{product.name}»: оплата списана.")
        if rules.entry_move(entry_id=entry.pk, sources=[S.WINNING], target=S.WON, order_number=order.order_number):
            _tell(entry, product, won=True, order=order)
        return "won"
    if captured.status == PaymentStatus.CANCELED:
        return _entry_pass_on(entry=entry, product=product, order=order)
    return None  # still held: YooKassa did not take it now; the next round tries again


def _entry_pass_on(*, entry: DrawEntry, product: Product, order: Order | None) -> str:
    """The winner's hold could not be captured (it lapsed, the bank dropped it): the order is cancelled and its
    unit goes back, so the next entry of the size in drawn order takes it."""
    with transaction.atomic():
        if order is not None:
            # The hold is gone: the order is closed from waiting for capture, giving its unit back.
            order_payment_canceled(order=order)
        if rules.entry_move(entry_id=entry.pk, sources=[S.WINNING], target=S.LOST, passed_on=True):
            _tell(entry, product, won=False)
    _entry_hold_release(entry=entry)
    return "passed_on"


def _tell(entry: DrawEntry, product: Product, *, won: bool, order: Order | None = None) -> None:
    if won:
        text = (
            f"вы выиграли в розыгрыше «{product.name}», размер {entry.size}! "
            f"Заказ {order.order_number} оплачен, {rub(order.final_amount)}."
        )
    else:
        text = f"розыгрыш «{product.name}» проведён, в этот раз не повезло. Деньги разморожены."
    sms_enqueue(phone=entry.phone, text=sms_signed(text))


def draws_run_due(*, now: datetime | None = None) -> int:
    """Every draw whose entries closed and that is not finished: run (the scheduler's loop calls it), and the holds
    still owed released. Returns how many draws finished now."""
    now = now or timezone.now()
    draw_holds_release_due(now=now)
    due = Product.objects.filter(
        sale_mode=Product.SaleMode.DRAW, draw_closes_at__lte=now, sale_paused=False
    ).exclude(draw__finished_at__isnull=False)
    finished = 0
    for product_id in due.values_list("pk", flat=True):
        if not connection.in_atomic_block:
            close_old_connections()
        try:
            finished += draw_run(product_id=product_id).finished
        except Exception:
            logger.exception("The draw of product %s stopped; the next round continues it", product_id)
    return finished


@task()
def draw_run_task(*, product_id: int) -> None:
    """The worker's run of a draw whose entries closed (queued by the first request that finds them closed)."""
    draw_run(product_id=product_id)


def draw_state_read(*, product: Product):
    """Where the product's draw stands (`drops.draws.draw_state`); the first reader after the close starts the
    draw (`draw_run_enqueue`)."""
    state = rules.draw_state(product=product)
    if state.phase == "closed":
        draw_run_enqueue(product_id=product.pk)
    return state


def draw_run_enqueue(*, product_id: int) -> None:
    """Queue the draw for the worker, at most once a minute however many pages find it closed (the scheduler's
    loop runs it too; a run that finds another holding the lease leaves it be)."""
    if not cache.add(f"draws:queued:{product_id}", 1, 60):
        return
    try:
        transaction.on_commit(lambda: draw_run_task.enqueue(product_id=product_id))
    except Exception:
        logger.exception("Could not queue the draw of product %s; the scheduler runs it", product_id)


def draw_hold_expiring(*, product: Product) -> int:
    """Entries whose hold lapses before the draw closes (SberPay holds for hours, cards for 7 days)."""
    if product.draw_closes_at is None:
        return 0
    return DrawEntry.objects.filter(
        draw_id=product.pk, status=S.ENTERED, hold_expires_at__lt=product.draw_closes_at + timedelta(minutes=5)
    ).count()


def draw_close_now(*, product: Product, now: datetime | None = None) -> DrawRun:
    """«Провести розыгрыш»: staff close the entries now (if still open) and run the draw."""
    now = now or timezone.now()
    if product.draw_closes_at is None or product.draw_closes_at > now:
        with transaction.atomic():
            Product.objects.filter(pk=product.pk).update(draw_closes_at=now)
    return draw_run(product_id=product.pk, now=now)


__all__ = [
    "DrawRun",
    "draw_close_now",
    "draw_enter",
    "draw_entry_cancel",
    "draw_entry_refresh",
    "draw_hold_expiring",
    "draw_payment_apply",
    "draw_run",
    "draw_run_enqueue",
    "draw_state_read",
    "draws_run_due",
]

PAYMENT_HANDLERS["draw_entry"] = draw_payment_apply
