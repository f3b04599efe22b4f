"""Staff moving orders along: a status, a tracking number, or both in one request (API and admin alike)."""

from django.db import transaction
from django.utils import timezone

from orders import notifications
from orders.errors import InvalidTransition, OrderInvalid
from orders.models import Order, OrderStatus
from orders.payments import PaymentCheckUnavailable, PaymentUnavailable
from orders.services.lifecycle import (
    order_cancel_unpaid,
    order_event_add,
    order_mark_paid,
    order_mark_refunded,
    order_transition,
)
from orders.services.paying import order_payment_refresh
from orders.services.refunds import order_refund

# What staff may correct of an order's delivery.
DELIVERY_FIELDS = ("delivery_address", "cdek_point")


def _refuse(order: Order, status: str) -> InvalidTransition:
    return InvalidTransition(
        f"Заказ в статусе «{order.get_status_display()}» нельзя перевести в «{OrderStatus(status).label}».",
        status=order.status,
    )


def order_set_status(*, order: Order, status: str, by) -> Order:
    """Staff (`by`, recorded where the order says who acted) move an order along its lifecycle; transitions
    that make no sense are refused.

    Cancelling gives units back (unpaid orders only); paying marks it paid; shipping stamps `shipped_at`;
    refunding an order paid through YooKassa returns the money there first (`order_refund`), one paid
    otherwise is only marked refunded.
    """
    if status not in OrderStatus.values:
        raise InvalidTransition("Неизвестный статус заказа.")
    current = Order.objects.get(pk=order.pk)
    if current.status != status and not current.can_transition_to(status):
        raise _refuse(current, status)
    if status == OrderStatus.REFUNDED and current.status != status and current.payment_id:
        # The refund is a call to YooKassa: made outside any transaction, it marks the order once confirmed.
        return order_refund(order=current, by=by)
    if status == OrderStatus.CANCELLED and current.status == OrderStatus.PENDING:
        # A payment whose notification was lost is applied before anything is given back (outside the lock).
        try:
            current = order_payment_refresh(order=current)
        except PaymentUnavailable as error:
            raise PaymentCheckUnavailable() from error
    return _order_set_status(order=current, status=status, by=by)


@transaction.atomic
def _order_set_status(*, order: Order, status: str, by) -> Order:
    current = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if current.status == status:
        return current
    if not current.can_transition_to(status):
        raise _refuse(current, status)
    if status == OrderStatus.CANCELLED:
        return order_cancel_unpaid(order=current, by=by)
    if status == OrderStatus.PAID:
        order_mark_paid(order=current)
    elif status == OrderStatus.REFUNDED:
        order_mark_refunded(order=current)
    else:
        order_transition(order=current, to=status)
    return current


def order_staff_update(
    *,
    order: Order,
    status: str | None = None,
    tracking_number: str | None = None,
    delivery: dict | None = None,
    by,
) -> Order:
    """Staff change an order's delivery details, tracking number and/or status in one request.

    A tracking number ships the order (and tells the customer); a status is then applied as well, unless it only
    says what the tracking number already did. `delivery` may correct `delivery_address` and `cdek_point`.
    """
    changed = {
        field: (value or "").strip() for field, value in (delivery or {}).items() if field in DELIVERY_FIELDS
    }
    if changed:
        stored = Order.objects.filter(pk=order.pk).values(*changed).get()
        changed = {field: value for field, value in changed.items() if stored[field] != value}
    if changed:
        Order.objects.filter(pk=order.pk).update(updated_at=timezone.now(), **changed)
        for field, value in changed.items():
            setattr(order, field, value)
    if tracking_number is not None:
        order = order_set_tracking(order=order, tracking_number=tracking_number, by=by)
    if status is not None and not (tracking_number is not None and status == OrderStatus.SHIPPED):
        order = order_set_status(order=order, status=status, by=by)
    return order


@transaction.atomic
def order_set_tracking(*, order: Order, tracking_number: str, by) -> Order:
    """Staff (`by`) set the tracking number: the order is shipped and the customer told by SMS."""
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
    message = f"Заказ передан в доставку, трек-номер {tracking_number}."
    if current.status == OrderStatus.SHIPPED:
        # A corrected tracking number: the order stays shipped, the customer hears the new number.
        Order.objects.filter(pk=current.pk).update(tracking_number=tracking_number)
        current.tracking_number = tracking_number
        order_event_add(order=current, message=message, tracking_number=tracking_number)
        notifications.notify_order_shipped(current)
        return current
    order_transition(
        order=current,
        to=OrderStatus.SHIPPED,
        changes={"tracking_number": tracking_number},
        message=message,
        notify=notifications.notify_order_shipped,
    )
    return current
