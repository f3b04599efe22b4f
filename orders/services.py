"""Ordering rules: placing an order (stock, waves, promo code, amounts) and its lifecycle.

Every writer takes its locks in one order — products, stock rows, waves (each by primary key), then the promo
code — so concurrent orders queue instead of deadlocking. Counters move by conditional updates that database
checks back, so nothing is oversold whatever the concurrency, on PostgreSQL and on SQLite alike.
"""

import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Product
from catalog.services import stock_release, stock_shortfall, stock_take
from orders import notifications, payments
from orders.errors import InvalidTransition, OrderInvalid, OrderNotCancellable, OutOfStock, WaveCapacityExceeded
from orders.models import (
    ALLOWED_TRANSITIONS,
    UNPAID_PAYMENT_STATUSES,
    Order,
    OrderItem,
    OrderStatus,
    PaymentStatus,
)
from orders.selectors import OrderLine, order_lines_resolve
from preorders.models import PreorderStatus, PreorderWave, WaveStatus
from preorders.services import (
    product_refresh_preorder_state,
    waves_allocate,
    waves_free_units,
    waves_lock,
    waves_release,
)
from promos.services import promo_discount, promo_find, promo_release, promo_use

logger = logging.getLogger("dwc.orders")

KOPECK = Decimal("0.01")


# --- Placing an order ---------------------------------------------------------------------------------------------
def _line_label(line: OrderLine) -> str:
    if line.product.is_preorder:
        return f"«{line.product.name}» (предзаказ)"
    return f"«{line.product.name}», размер {line.size}"


def _shortages(*, lines: list[OrderLine], stock_short: dict, waves: dict) -> list[dict]:
    """Every line the shop cannot cover, in the customer's order, with what is left.

    `stock_short` is what `stock_take` found short; units of one preorder product add up over its sizes.
    """
    short = []
    wanted_by_product: dict[int, int] = {}
    for line in lines:
        if line.product.is_preorder:
            wanted_by_product[line.product.pk] = wanted_by_product.get(line.product.pk, 0) + line.quantity
    seen_preorders = set()
    for line in lines:
        product = line.product
        if product.is_preorder:
            if product.pk in seen_preorders:
                continue
            seen_preorders.add(product.pk)
            available = waves_free_units(product=product, waves=waves[product.pk])
            requested = wanted_by_product[product.pk]
            if requested <= available:
                continue
            kind = "waves_full"
        else:
            if (product.pk, line.size) not in stock_short:
                continue
            available, requested = stock_short[(product.pk, line.size)], line.quantity
            kind = "insufficient_stock"
        short.append(
            {
                "product": product.pk,
                "size": line.size,
                "requested": requested,
                "available": max(available, 0),
                "code": kind,
                "label": _line_label(line),
            }
        )
    return short


def _shortages_unlocked(*, lines: list[OrderLine]) -> list[dict]:
    """The same as `_shortages`, read without locks: only for an order that is refused anyway."""
    stock_short = stock_shortfall(
        quantities={(line.product.pk, line.size): line.quantity for line in lines if not line.product.is_preorder}
    )
    waves: dict[int, list[PreorderWave]] = {line.product.pk: [] for line in lines if line.product.is_preorder}
    for wave in PreorderWave.objects.filter(product_id__in=waves):
        waves[wave.product_id].append(wave)
    return _shortages(lines=lines, stock_short=stock_short, waves=waves)


def _refuse_short(short: list[dict]):
    text = "; ".join(f"{s['label']} — осталось {s['available']} шт." for s in short)
    details = [{key: value for key, value in s.items() if key != "label"} for s in short]
    error = OutOfStock if any(s["code"] == "insufficient_stock" for s in short) else WaveCapacityExceeded
    lead = "Недостаточно товара" if error is OutOfStock else "Не хватает мест в волнах предзаказа"
    return error(f"{lead}: {text}", available=short[0]["available"], lines=details)


def _products_lock(*, lines: list[OrderLine]) -> None:
    """Lock preorder products (their `order_type` follows their waves) and read their type under the lock."""
    if not lines:
        return
    locked = dict(
        Product.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in={line.product.pk for line in lines})
        .order_by("pk")
        .values_list("pk", "order_type")
    )
    for line in lines:
        line.product.order_type = locked.get(line.product.pk, line.product.order_type)


def order_number_for(*, order: Order) -> str:
    """`DWC-<year>-<6 digits>`: unique because the digits are the order's primary key."""
    year = timezone.localtime(order.created_at).year if order.created_at else timezone.localdate().year
    return f"DWC-{year}-{order.pk:06d}"


@transaction.atomic
def order_place(
    *,
    user,
    lines: list[dict],
    promo_code: str | None = None,
    delivery_address: str = "",
    cdek_point: str = "",
) -> Order:
    """Place an order, all or nothing.

    Lines are checked (see `order_lines_resolve`); in-stock units are reserved per size; preorder units go to
    the open waves in wave order, one item per wave, and the product turns `waiting` when its last wave fills;
    a promo code is applied and its use counted. Amounts come from database prices. One refusal names every
    short line. After commit the payment is started; an order with nothing to pay is paid at once.
    """
    if not user or not getattr(user, "is_authenticated", False):
        raise OrderInvalid("Войдите, чтобы оформить заказ.", code="not_authenticated")
    resolved = order_lines_resolve(lines=lines)
    promo = promo_find(code=promo_code) if promo_code and str(promo_code).strip() else None
    total = sum((line.line_total for line in resolved), Decimal("0")).quantize(KOPECK)
    discount = min(promo_discount(promo=promo, lines=resolved), total) if promo else Decimal("0.00")
    final = total - discount

    if any(line.product.order_type == Product.OrderType.WAITING for line in resolved):
        # A waiting product refuses whatever the counters say: no need to queue for a lock to say so.
        raise _refuse_short(_shortages_unlocked(lines=resolved))

    # The order row is written before any lock is taken, so the locks are held only for the counters.
    now = timezone.now()
    order = Order.objects.create(
        user=user,
        order_number=f"new-{uuid.uuid4().hex}"[:32],
        total_amount=total,
        discount_amount=discount,
        final_amount=final,
        promo_code=promo,
        delivery_address=(delivery_address or "").strip(),
        cdek_point=(cdek_point or "").strip(),
        **(
            {"status": OrderStatus.PAID, "payment_status": PaymentStatus.SUCCEEDED, "paid_at": now}
            if final == 0
            else {}
        ),
    )
    order.order_number = order_number_for(order=order)
    Order.objects.filter(pk=order.pk).update(order_number=order.order_number)

    # Locks, always in this order: preorder products, stock rows, waves (each by primary key), promo code.
    preorder_lines = [line for line in resolved if line.product.is_preorder]
    in_stock = [line for line in resolved if not line.product.is_preorder]
    _products_lock(lines=preorder_lines)
    stock_short = stock_take(quantities={(line.product.pk, line.size): line.quantity for line in in_stock})
    waves = waves_lock(product_ids=[line.product.pk for line in preorder_lines])
    short = _shortages(lines=resolved, stock_short=stock_short, waves=waves)
    if short:
        raise _refuse_short(short)  # the transaction gives back any stock already taken

    items = [
        OrderItem(
            order=order, product=line.product, size=line.size, quantity=line.quantity, price=line.product.price
        )
        for line in in_stock
    ]
    for line in preorder_lines:
        for wave, units in waves_allocate(
            product=line.product, waves=waves[line.product.pk], quantity=line.quantity
        ):
            items.append(
                OrderItem(
                    order=order,
                    product=line.product,
                    size=line.size,
                    quantity=units,
                    price=line.product.price,
                    is_preorder=True,
                    preorder_wave=wave,
                )
            )
    for product in {line.product.pk: line.product for line in preorder_lines}.values():
        product_refresh_preorder_state(product=product, waves=waves[product.pk])
    if promo is not None:
        promo_use(promo=promo)
    # Items in the order the customer listed them.
    position = {(line.product.pk, line.size): index for index, line in enumerate(resolved)}
    items.sort(key=lambda item: position[(item.product.pk, item.size)])
    OrderItem.objects.bulk_create(items)
    preorder_waves = {item.preorder_wave.pk: item.preorder_wave for item in items if item.is_preorder}
    PreorderStatus.objects.bulk_create(
        PreorderStatus(
            order=order,
            wave=wave,
            status=WaveStatus.COLLECTING,
            status_message=f"Заказ принят в волну {wave.wave_number} предзаказа.",
        )
        for wave in preorder_waves.values()
    )
    if final > 0:
        order_id = order.pk
        transaction.on_commit(lambda: payments.order_payment_start(order_id=order_id))
    else:
        notifications.notify_order_paid(order)
    return order


# --- Giving units back ------------------------------------------------------------------------------------------
def _order_release(*, order_id: int, promo_id: int | None) -> None:
    """Give back what an order took: stock per size, wave units, the promo use. Callers guarantee it runs once
    (they have just moved the order out of `pending` by a conditional update)."""
    items = list(
        OrderItem.objects.filter(order_id=order_id).values("product_id", "size", "quantity", "preorder_wave_id")
    )
    preorder_product_ids = {item["product_id"] for item in items if item["preorder_wave_id"]}
    # The same lock order as placing: preorder products, stock rows, waves, promo code.
    if preorder_product_ids:
        list(
            Product.objects.select_for_update(of=("self",), no_key=True)
            .filter(pk__in=preorder_product_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    stock: dict[tuple[int, str], int] = {}
    wave_units: dict[int, int] = {}
    for item in items:
        if item["preorder_wave_id"]:
            wave_units[item["preorder_wave_id"]] = wave_units.get(item["preorder_wave_id"], 0) + item["quantity"]
        else:
            key = (item["product_id"], item["size"])
            stock[key] = stock.get(key, 0) + item["quantity"]
    stock_release(quantities=stock)
    waves_release(units=wave_units)
    if promo_id:
        promo_release(promo_id=promo_id)


def _order_close_unpaid(*, order: Order, **changes) -> bool:
    """Move a still-unpaid order to `cancelled` and give everything back, exactly once."""
    closed = Order.objects.filter(
        pk=order.pk, status=OrderStatus.PENDING, payment_status__in=UNPAID_PAYMENT_STATUSES
    ).update(status=OrderStatus.CANCELLED, updated_at=timezone.now(), **changes)
    if not closed:
        return False
    _order_release(order_id=order.pk, promo_id=order.promo_code_id)
    order.status = OrderStatus.CANCELLED
    for field, value in changes.items():
        setattr(order, field, value)
    return True


# --- Lifecycle ----------------------------------------------------------------------------------------------------
@transaction.atomic
def order_cancel(*, order: Order, by=None) -> Order:
    """Cancel an unpaid order (its customer or staff): stock, wave units and the promo use come back."""
    if not _order_close_unpaid(order=order):
        order.refresh_from_db(fields=["status", "payment_status"])
        if order.status == OrderStatus.CANCELLED:
            raise OrderNotCancellable("Заказ уже отменён.", status=order.status)
        raise OrderNotCancellable(status=order.status)
    logger.info("Order %s cancelled by %s", order.order_number, getattr(by, "pk", None))
    return order


def order_expire_unpaid(*, now=None) -> int:
    """Cancel orders left unpaid longer than `ORDER_PAYMENT_TIMEOUT` minutes, giving everything back.

    Each order is its own transaction, so one failure does not keep the others' units locked up.
    """
    now = now or timezone.now()
    deadline = now - timedelta(minutes=settings.ORDER_PAYMENT_TIMEOUT)
    stale = Order.objects.filter(
        status=OrderStatus.PENDING, payment_status__in=UNPAID_PAYMENT_STATUSES, created_at__lt=deadline
    ).only("pk", "order_number", "promo_code_id")
    expired = 0
    for order in stale.iterator():
        with transaction.atomic():
            if _order_close_unpaid(order=order):
                expired += 1
                logger.info("Order %s expired unpaid", order.order_number)
    return expired


def order_mark_paid(*, order: Order, payment_id: str = "") -> bool:
    """The payment succeeded: pending → paid, once. False when the order had already moved on."""
    now = timezone.now()
    changes = {"status": OrderStatus.PAID, "payment_status": PaymentStatus.SUCCEEDED, "paid_at": now}
    if payment_id:
        changes["payment_id"] = payment_id
    paid = Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(updated_at=now, **changes)
    if paid:
        for field, value in changes.items():
            setattr(order, field, value)
    return bool(paid)


@transaction.atomic
def order_payment_canceled(*, order: Order) -> bool:
    """The payment was cancelled: the pending order is cancelled and everything it took given back, once."""
    return _order_close_unpaid(order=order, payment_status=PaymentStatus.CANCELED)


def order_mark_refunded(*, order: Order) -> bool:
    """The money went back: a paid (or later) order becomes `refunded`, once."""
    sources = [status for status, targets in ALLOWED_TRANSITIONS.items() if OrderStatus.REFUNDED in targets]
    changes = {"status": OrderStatus.REFUNDED, "payment_status": PaymentStatus.REFUNDED}
    refunded = Order.objects.filter(pk=order.pk, status__in=sources).update(updated_at=timezone.now(), **changes)
    if refunded:
        for field, value in changes.items():
            setattr(order, field, value)
    return bool(refunded)


def order_set_status(*, order: Order, status: str) -> Order:
    """Staff move an order along its lifecycle; transitions that make no sense are refused.

    Cancelling gives units back (unpaid orders only); paying marks it paid; shipping stamps `shipped_at`;
    refunding an order paid through YooKassa returns the money there first (`payments.order_refund`), one paid
    otherwise is only marked refunded.
    """
    if status not in OrderStatus.values:
        raise InvalidTransition("Неизвестный статус заказа.")
    current = Order.objects.get(pk=order.pk)
    if current.status != status and not current.can_transition_to(status):
        raise InvalidTransition(
            f"Заказ в статусе «{current.get_status_display()}» нельзя перевести в «{OrderStatus(status).label}».",
            status=current.status,
        )
    if status == OrderStatus.REFUNDED and current.status != status and current.payment_id:
        # The refund is a call to YooKassa: made outside any transaction, it marks the order once confirmed.
        return payments.order_refund(order=current)
    return _order_set_status(order=current, status=status)


@transaction.atomic
def _order_set_status(*, order: Order, status: str) -> Order:
    current = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if current.status == status:
        return current
    if not current.can_transition_to(status):
        raise InvalidTransition(
            f"Заказ в статусе «{current.get_status_display()}» нельзя перевести в «{OrderStatus(status).label}».",
            status=current.status,
        )
    if status == OrderStatus.CANCELLED:
        return order_cancel(order=current)
    if status == OrderStatus.PAID:
        order_mark_paid(order=current)
        return current
    if status == OrderStatus.REFUNDED:
        order_mark_refunded(order=current)
        return current
    changes = {"status": status}
    if status == OrderStatus.SHIPPED and not current.shipped_at:
        changes["shipped_at"] = timezone.now()
    Order.objects.filter(pk=current.pk, status=current.status).update(updated_at=timezone.now(), **changes)
    for field, value in changes.items():
        setattr(current, field, value)
    return current


def order_staff_update(*, order: Order, status: str | None = None, tracking_number: str | None = None) -> Order:
    """Staff change an order's status and/or tracking number in one request.

    A tracking number ships the order (and tells the customer); a status is then applied as well, unless it only
    says what the tracking number already did.
    """
    if tracking_number is not None:
        order = order_set_tracking(order=order, tracking_number=tracking_number)
    if status is not None and not (tracking_number is not None and status == OrderStatus.SHIPPED):
        order = order_set_status(order=order, status=status)
    return order


@transaction.atomic
def order_set_tracking(*, order: Order, tracking_number: str) -> Order:
    """Staff set the tracking number: the order is shipped and the customer told by SMS."""
    tracking_number = (tracking_number or "").strip()
    if not tracking_number:
        raise OrderInvalid("Укажите трек-номер.", code="invalid_tracking_number")
    current = Order.objects.select_for_update(of=("self",)).select_related("user").get(pk=order.pk)
    if current.status != OrderStatus.SHIPPED and not current.can_transition_to(OrderStatus.SHIPPED):
        raise InvalidTransition(
            f"Заказ в статусе «{current.get_status_display()}» нельзя отправить.", status=current.status
        )
    if current.tracking_number == tracking_number and current.status == OrderStatus.SHIPPED:
        return current
    now = timezone.now()
    current.tracking_number = tracking_number
    current.status = OrderStatus.SHIPPED
    current.shipped_at = current.shipped_at or now
    current.save(update_fields=["tracking_number", "status", "shipped_at", "updated_at"])
    notifications.notify_order_shipped(current)
    return current
