"""Payments through YooKassa, over the official SDK.

- `order_payment_start(order_id=...)`: after an order commits, its payment is created; a failure is logged and the
  order stays pending (`pay/` completes it later with the same idempotence key).
- `order_payment_retry(order=...)`: `POST orders/{number}/pay/`; returns the confirmation URL to send the customer to.
- `payment_notification_handle(data=...)`: a notification body, trusted for nothing but the payment id: the
  payment is read back from the API and only what the API says is applied (`order_payment_apply`).
- `order_refund(order=...)`: staff refund a paid order in full.

Idempotence keys are derived from the order (`Order.payment_idempotence_key`), so repeating any call — after a
timeout, a double click, a lost answer — never creates a second charge: the first payment uses the order's key;
a payment after a canceled one uses a key derived from the order's key and the canceled payment's id.
"""

import logging
from decimal import Decimal

from django.utils import timezone
from yookassa.domain.notification import WebhookNotificationEventType, WebhookNotificationFactory

from orders import notifications
from orders import services as order_services
from orders.models import Order, OrderStatus, PaymentStatus
from orders.payments.client import TimedPayment, TimedRefund, idempotence_key, payment_find, yookassa_call
from orders.payments.errors import (
    NotificationRejected,
    OrderAlreadyPaid,
    OrderNotPayable,
    OrderNotRefundable,
    PaymentNotFound,
    PaymentUnavailable,
)
from orders.payments.receipt import CURRENCY, RECEIPT_TEXT_MAX, payment_request, receipt_for, receipt_items

__all__ = [
    "NotificationRejected",
    "OrderAlreadyPaid",
    "OrderNotPayable",
    "OrderNotRefundable",
    "PaymentNotFound",
    "PaymentUnavailable",
    "order_payment_apply",
    "order_payment_retry",
    "order_payment_start",
    "order_refund",
    "payment_find",
    "payment_notification_handle",
    "payment_request",
    "receipt_items",
]

logger = logging.getLogger("dwc.payments")

REFUNDABLE_STATUSES = (OrderStatus.PAID, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


# --- Creating payments --------------------------------------------------------------------------------------------
def _payment_create(*, order: Order, key: str, replaces: str) -> str:
    """Create (or, with a key already used, fetch back) the payment and keep it on the order; returns its URL."""
    payment = yookassa_call(TimedPayment.create, payment_request(order=order), key)
    url = payment.confirmation.confirmation_url if payment.confirmation else ""
    # Conditional: only the payment this one replaces may be overwritten (two clicks store the same payment).
    stored = Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING, payment_id=replaces).update(
        payment_id=payment.id, payment_url=url, payment_status=PaymentStatus.PENDING, updated_at=timezone.now()
    )
    if not stored and not Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).exists():
        # The order closed meanwhile: nobody is sent to pay for it (were it paid, the money would go back).
        raise OrderNotPayable()
    logger.info("Payment %s created for order %s", payment.id, order.order_number)
    return url


def order_payment_start(*, order_id: int) -> None:
    """Create the YooKassa payment of a placed order (called after the order commits).

    Never raises into the caller: if YooKassa is down or slow the order simply stays pending, and `pay/` later
    creates the payment with the same idempotence key (so a payment YooKassa did create is found, not doubled).
    """
    try:
        order = Order.objects.select_related("user").get(pk=order_id)
        if order.status != OrderStatus.PENDING or order.payment_id or order.final_amount <= 0:
            return
        _payment_create(order=order, key=str(order.payment_idempotence_key), replaces="")
    except Exception:
        logger.exception("The payment of order %s could not be created; the order stays pending", order_id)


def order_payment_retry(*, order: Order) -> str:
    """Pay a pending order (again): the payment URL to send the customer to.

    No payment yet → it is created with the order's key (finding the one a lost answer may have created); a
    payment still pending → its URL; a canceled one → a new payment with a key derived from the canceled one;
    a payment that went through → the order is brought up to date and the call refused as already paid.
    """
    order = Order.objects.select_related("user").get(pk=order.pk)
    if order.status != OrderStatus.PENDING:
        raise OrderAlreadyPaid() if order.status in REFUNDABLE_STATUSES else OrderNotPayable()
    if not order.payment_id:
        return _payment_create(order=order, key=str(order.payment_idempotence_key), replaces="")
    try:
        payment = payment_find(order.payment_id)
    except PaymentNotFound:
        # The API does not know the stored payment (another shop account?): a fresh one, never the same key.
        key = idempotence_key(order, f"after:{order.payment_id}")
        return _payment_create(order=order, key=key, replaces=order.payment_id)
    if payment.status == PaymentStatus.PENDING:
        return payment.confirmation.confirmation_url if payment.confirmation else order.payment_url
    if payment.status == PaymentStatus.CANCELED:
        key = idempotence_key(order, f"after:{payment.id}")
        return _payment_create(order=order, key=key, replaces=payment.id)
    order_payment_apply(payment=payment)
    raise OrderAlreadyPaid()


# --- What the API says --------------------------------------------------------------------------------------------
def _payment_matches(order: Order, payment) -> bool:
    metadata = payment.metadata or {}
    amount = payment.amount
    return (
        amount is not None
        and amount.currency == CURRENCY
        and Decimal(str(amount.value)) == order.final_amount
        and metadata.get("order_number") == order.order_number
    )


def order_payment_apply(*, payment, refund=None) -> Order | None:
    """Apply a payment as read from the API to its order, once; returns the order, or None when it is not ours.

    - succeeded → paid (the customer is told by SMS); refunded in full → refunded; paid for an order that had
      already been closed → the money is refunded;
    - canceled → the order is cancelled and everything it took given back (only for the order's current payment:
      a canceled earlier attempt that `pay/` replaced changes nothing);
    - waiting_for_capture → captured (the shop always captures), or cancelled if the order closed meanwhile.
    Every change is a conditional update, so repeats and concurrent copies change the order once. `refund` is a
    refund of this payment as read from the API (a `refund.succeeded` notification); a whole one refunds the order.
    """
    number = (payment.metadata or {}).get("order_number")
    order = Order.objects.select_related("user").filter(order_number=str(number or "")).first()
    if order is None or not _payment_matches(order, payment):
        logger.warning("Payment %s does not match an order (order number %r); ignored", payment.id, number)
        return None
    status = payment.status
    if status in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED):
        fully_refunded = status == PaymentStatus.REFUNDED or _refunded_in_full(order, payment, refund)
        if order_services.order_mark_paid(order=order, payment_id=payment.id):
            logger.info("Order %s paid by payment %s", order.order_number, payment.id)
            notifications.notify_order_paid(order)
        elif not fully_refunded and Order.objects.filter(pk=order.pk, status=OrderStatus.CANCELLED).exists():
            _payment_refund_late(order=order, payment=payment)
        if fully_refunded and order_services.order_mark_refunded(order=order):
            logger.info("Order %s refunded", order.order_number)
    elif status == PaymentStatus.CANCELED:
        if order.payment_id not in ("", payment.id):
            return order
        # A payment the shop saw waiting for capture is unpaid again once canceled.
        Order.objects.filter(pk=order.pk, payment_status=PaymentStatus.WAITING_FOR_CAPTURE).update(
            payment_status=PaymentStatus.CANCELED
        )
        if order_services.order_payment_canceled(order=order):
            logger.info("Order %s cancelled: payment %s canceled", order.order_number, payment.id)
            notifications.notify_order_payment_canceled(order)
    elif status == PaymentStatus.WAITING_FOR_CAPTURE:
        _payment_capture(order=order, payment=payment)
    order.refresh_from_db()
    return order


def _refunded_in_full(order: Order, payment, refund) -> bool:
    refunded = payment.refunded_amount
    if refunded is not None and Decimal(str(refunded.value)) >= order.final_amount:
        return True
    return (
        refund is not None
        and refund.status == "succeeded"
        and refund.payment_id == payment.id
        and refund.amount is not None
        and refund.amount.currency == CURRENCY
        and Decimal(str(refund.amount.value)) >= order.final_amount
    )


def _refund_in_full(*, order: Order, payment_id: str, description: str):
    """Ask YooKassa to return the whole final amount of a payment, with a receipt. The idempotence key is
    derived from the order and the payment, so every path that refunds one payment refunds it once."""
    request = {
        "payment_id": payment_id,
        "amount": {"value": f"{order.final_amount:.2f}", "currency": CURRENCY},
        "description": description[:RECEIPT_TEXT_MAX],
        "receipt": receipt_for(order),
    }
    return yookassa_call(TimedRefund.create, request, idempotence_key(order, f"refund:{payment_id}"))


def _payment_refund_late(*, order: Order, payment) -> None:
    """The customer paid an order that had already been closed (expired or cancelled, its units given back):
    the money goes back in full. The key is the one `order_refund` would use, so it is never refunded twice."""
    logger.warning("Payment %s succeeded for closed order %s: refunding it", payment.id, order.order_number)
    refund = _refund_in_full(
        order=order, payment_id=payment.id, description=f"Возврат: заказ {order.order_number} отменён до оплаты"
    )
    if refund.status == "succeeded":
        Order.objects.filter(pk=order.pk, status=OrderStatus.CANCELLED).update(
            payment_id=payment.id, payment_status=PaymentStatus.REFUNDED, updated_at=timezone.now()
        )


def _payment_capture(*, order: Order, payment) -> None:
    Order.objects.filter(
        pk=order.pk, status=OrderStatus.PENDING, payment_status__in=(PaymentStatus.PENDING, PaymentStatus.CANCELED)
    ).update(payment_status=PaymentStatus.WAITING_FOR_CAPTURE, payment_id=payment.id, updated_at=timezone.now())
    order.refresh_from_db(fields=["status"])
    if order.status == OrderStatus.PENDING:
        captured = yookassa_call(
            TimedPayment.capture, payment.id, None, idempotence_key(order, f"capture:{payment.id}")
        )
    else:
        # The order closed meanwhile (expired, cancelled): the customer's money is released, not taken.
        captured = yookassa_call(TimedPayment.cancel, payment.id, idempotence_key(order, f"cancel:{payment.id}"))
    if captured.status in (PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED):
        order_payment_apply(payment=captured)


def payment_notification_handle(*, data) -> Order | None:
    """A YooKassa notification: only the payment id is taken from it; the payment is read back from the API.

    Raises `NotificationRejected` for a body that is not a notification or names no payment of the API, and
    `PaymentUnavailable` when the API cannot be asked (YooKassa then repeats the notification later).
    """
    try:
        notification = WebhookNotificationFactory().create(data)
        event = notification.event
        refund_id = None
        if event == WebhookNotificationEventType.REFUND_SUCCEEDED:
            payment_id, refund_id = notification.object.payment_id, notification.object.id
        elif str(event).startswith("payment."):
            payment_id = notification.object.id
        else:
            return None
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        raise NotificationRejected() from error
    if not isinstance(payment_id, str) or not payment_id or len(payment_id) > 64:
        raise NotificationRejected()
    try:
        payment = payment_find(payment_id)
    except PaymentNotFound as error:
        raise NotificationRejected("Платёж не найден.", code="payment_not_found") from error
    refund = None
    if isinstance(refund_id, str) and refund_id:
        try:
            refund = yookassa_call(TimedRefund.find_one, refund_id)
        except PaymentNotFound:
            refund = None  # a refund the API does not know is no refund; the payment still says what it has
    return order_payment_apply(payment=payment, refund=refund)


# --- Refunds ------------------------------------------------------------------------------------------------------
def order_refund(*, order: Order) -> Order:
    """Refund a paid order in full through YooKassa; the order becomes refunded once YooKassa confirms.

    The refund's idempotence key is derived from the order and its payment, so repeating it never refunds twice.
    """
    order = Order.objects.select_related("user").get(pk=order.pk)
    if order.status not in REFUNDABLE_STATUSES or order.payment_status != PaymentStatus.SUCCEEDED:
        raise OrderNotRefundable()
    if not order.payment_id:
        raise OrderNotRefundable("У заказа нет платежа ЮKassa: деньги возвращаются вручную.")
    refund = _refund_in_full(
        order=order, payment_id=order.payment_id, description=f"Возврат по заказу {order.order_number}"
    )
    if refund.status == "canceled":
        raise PaymentUnavailable("ЮKassa отклонила возврат.", code="refund_canceled")
    if refund.status == "succeeded" and order_services.order_mark_refunded(order=order):
        logger.info("Order %s refunded by refund %s", order.order_number, refund.id)
    order.refresh_from_db()
    return order
