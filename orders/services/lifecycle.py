"""The order lifecycle: every status change is one `order_transition`, and unpaid orders give their units back.

`order_transition` is the only writer of `Order.status`: a conditional UPDATE from the statuses allowed to reach
the new one (`OrderStatus.sources_of`), so concurrent or repeated changes happen once; it stamps the status's
moment, records a timeline entry and runs the notification hook. See docs/architecture.md for the diagram.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Product
from catalog.services import stock_release
from orders.errors import OrderNotCancellable
from orders.models import Order, OrderEvent, OrderItem, OrderStatus, PaymentStatus
from preorders.services import waves_release
from promos.services import promo_release

logger = logging.getLogger("dwc.orders")

# What the customer's timeline says when an order reaches a status (a caller may say more).
EVENT_MESSAGES = {
    OrderStatus.PENDING: "Заказ оформлен.",
    OrderStatus.PAID: "Заказ оплачен.",
    OrderStatus.PROCESSING: "Заказ собирается.",
    OrderStatus.SHIPPED: "Заказ передан в доставку.",
    OrderStatus.DELIVERED: "Заказ доставлен.",
    OrderStatus.CANCELLED: "Заказ отменён.",
    OrderStatus.REFUNDED: "Деньги за заказ возвращены.",
}
# The moment an order first reached these statuses is kept on the order.
STATUS_STAMPS = {OrderStatus.PAID: "paid_at", OrderStatus.SHIPPED: "shipped_at"}


def order_event_add(
    *, order: Order, status: str | None = None, message: str = "", tracking_number: str = ""
) -> OrderEvent:
    """One entry of the order's timeline (the status it is in unless told, and what happened; a shipment's
    tracking number as a field of its own)."""
    status = status or order.status
    return OrderEvent.objects.create(
        order=order, status=status, message=message or EVENT_MESSAGES[status], tracking_number=tracking_number
    )


def _payment_where(changes: dict | None) -> dict:
    """A change of the payment's status made with an order's move is held to the payment's table too."""
    to = (changes or {}).get("payment_status")
    return {"payment_status__in": (*PaymentStatus.sources_of(to), to)} if to else {}


@transaction.atomic(savepoint=False)
def order_transition(
    *,
    order: Order,
    to: str,
    message: str = "",
    where: dict | None = None,
    changes: dict | None = None,
    notify: Callable[[Order], None] | None = None,
) -> bool:
    """Move an order to `to`, once; False (and nothing changed) when it was not in a status that may reach it.

    `where` narrows which orders move (e.g. unpaid ones only), `changes` are written with the status (a
    `payment_status` among them only from a status `PAYMENT_TRANSITIONS` allows). The status's moment is stamped
    the first time, a timeline entry records the change (`message`, or the standard one) in the same
    transaction, and `notify(order)` runs (notifications leave after commit).
    """
    now = timezone.now()
    fields = {"status": to, "updated_at": now, **(changes or {})}
    stamp = STATUS_STAMPS.get(to)
    if stamp:
        fields[stamp] = Coalesce(F(stamp), now)
    moved = Order.objects.filter(
        pk=order.pk, status__in=OrderStatus.sources_of(to), **_payment_where(changes), **(where or {})
    ).update(**fields)
    if not moved:
        return False
    if stamp:
        fields[stamp] = getattr(order, stamp) or now
    for field, value in fields.items():
        setattr(order, field, value)
    order_event_add(
        order=order, status=to, message=message, tracking_number=(changes or {}).get("tracking_number", "")
    )
    if notify is not None:
        notify(order)
    return True


@transaction.atomic(savepoint=False)
def order_payment_transition(
    *, order: Order, to: str, message: str = "", where: dict | None = None, changes: dict | None = None
) -> bool:
    """Move an order's payment status to `to`, once: the one writer of `payment_status` apart from the moves
    `order_transition` makes with the order's status. A conditional UPDATE from the statuses allowed to reach it
    (`PaymentStatus.sources_of`), so repeated and concurrent copies move it once; False (nothing changed) when the
    payment was not in such a status. `changes` are written with it (the payment's id, its link); `message` adds
    a timeline entry in the same transaction.
    """
    fields = {"payment_status": to, "updated_at": timezone.now(), **(changes or {})}
    moved = Order.objects.filter(
        pk=order.pk, payment_status__in=PaymentStatus.sources_of(to), **(where or {})
    ).update(**fields)
    if not moved:
        return False
    for field, value in fields.items():
        setattr(order, field, value)
    if message:
        order_event_add(order=order, message=message)
    return True


# --- Giving units back ------------------------------------------------------------------------------------------
def order_release(*, order: Order, quantities: dict[int, int] | None = None, promo: bool = True) -> None:
    """Give back what an order took: stock per size, wave units, the promo use. Callers guarantee it runs once
    (they have just moved the order out of `pending` by `order_transition`, or completed a refund).

    `quantities` ({order item id: units}) gives back only those units (a refund by line); `promo=False` keeps
    the promo use counted.
    """
    items = list(
        OrderItem.objects.filter(order_id=order.pk).values(
            "id", "product_id", "size", "quantity", "preorder_wave_id"
        )
    )
    if quantities is not None:
        items = [
            {**item, "quantity": min(quantities[item["id"]], item["quantity"])}
            for item in items
            if quantities.get(item["id"], 0) > 0
        ]
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
    if promo and order.promo_code_id:
        promo_release(promo_id=order.promo_code_id)


def _order_close_unpaid(*, order: Order, message: str, changes: dict | None = None, notify=None) -> bool:
    """Move a still-unpaid order to `cancelled` and give everything back, exactly once."""
    closed = order_transition(
        order=order,
        to=OrderStatus.CANCELLED,
        where={"payment_status__in": PaymentStatus.UNPAID},
        changes=changes,
        message=message,
        notify=notify,
    )
    if closed:
        order_release(order=order)
    return closed


def _cancelled_by(*, order: Order, by) -> str:
    """Who cancelled, as the timeline says it: the order's customer, or the shop (staff acting on it)."""
    if by is not None and by.pk == order.user_id:
        return "Заказ отменён покупателем."
    return "Заказ отменён магазином."


@transaction.atomic
def order_cancel_unpaid(*, order: Order, by) -> Order:
    """Cancel an unpaid order (`by` its customer or staff, as the timeline says): stock, wave units and the
    promo use come back.

    This asks nobody: `orders.services.closing.order_cancel` first reads the payment back from YooKassa.
    """
    message = _cancelled_by(order=order, by=by)
    if not _order_close_unpaid(order=order, message=message):
        order.refresh_from_db(fields=["status", "payment_status"])
        if order.status == OrderStatus.CANCELLED:
            raise OrderNotCancellable("Заказ уже отменён.", status=order.status)
        raise OrderNotCancellable(status=order.status)
    logger.info("Order %s cancelled by %s", order.order_number, getattr(by, "pk", None))
    return order


@transaction.atomic
def order_expire(*, order: Order) -> bool:
    """Cancel an order left unpaid too long, giving everything back; False when it was paid or closed meanwhile.
    This asks nobody: `orders.services.closing.order_expire_unpaid` reads the payment back first."""
    if _order_close_unpaid(order=order, message="Заказ отменён: он не был оплачен вовремя."):
        logger.info("Order %s expired unpaid", order.order_number)
        return True
    return False


@transaction.atomic(savepoint=False)
def order_mark_paid(*, order: Order, payment_id: str = "", notify=None) -> bool:
    """The payment succeeded: pending → paid, once. False when the order had already moved on."""
    changes = {"payment_status": PaymentStatus.SUCCEEDED}
    if payment_id:
        changes["payment_id"] = payment_id
    return order_transition(order=order, to=OrderStatus.PAID, changes=changes, notify=notify)


@transaction.atomic
def order_payment_canceled(*, order: Order, notify=None) -> bool:
    """The payment was cancelled: the pending order is cancelled and everything it took given back, once."""
    # Unlike a cancel, a payment YooKassa canceled closes the order even from waiting for capture.
    closed = order_transition(
        order=order,
        to=OrderStatus.CANCELLED,
        changes={"payment_status": PaymentStatus.CANCELED},
        message="Оплата не прошла, заказ отменён.",
        notify=notify,
    )
    if closed:
        order_release(order=order)
    return closed


@transaction.atomic(savepoint=False)
def order_mark_refunded(*, order: Order) -> bool:
    """The money went back: a paid (or later) order becomes `refunded`, once."""
    return order_transition(
        order=order, to=OrderStatus.REFUNDED, changes={"payment_status": PaymentStatus.REFUNDED}
    )
