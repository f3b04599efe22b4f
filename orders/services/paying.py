"""What payments mean for orders: creating an order's payment, applying what YooKassa says, refunds.

`orders.payments` talks to YooKassa; these functions decide, and every change of an order goes through the
lifecycle (`order_transition`), so repeats and concurrent copies change an order once.

- `order_payment_begin(order_id=...)`: after an order commits, its payment is created at once, within the
  request (short timeout, the circuit breaker); when YooKassa cannot answer, `order_payment_enqueue` leaves it to
  the task worker (`order_payment_start`); a failure there is logged and the order stays pending (`pay/` or the
  reconciliation complete it later with the same idempotence key).
- `order_payment_retry(order=...)`: `POST orders/{number}/pay/`; the confirmation URL to send the customer to.
- `payment_notification_handle(data=...)`: a notification, trusted for nothing but the payment id: the payment is
  read back from the API and only what the API says is applied (`order_payment_apply`).
Refunds by line are `orders.services.refunds`; a `refund.succeeded` notification completes them here.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django_tasks import task

from orders import notifications, payments
from orders.models import Order, OrderStatus, PaymentStatus
from orders.payments import (
    OrderAlreadyPaid,
    OrderNotPayable,
    PaymentNotFound,
    idempotence_key,
)
from orders.services.lifecycle import (
    order_mark_paid,
    order_mark_refunded,
    order_payment_canceled,
    order_payment_transition,
)
from orders.services.refunds import order_refund_reconcile

logger = logging.getLogger("dwc.payments")

# Payments that belong to something other than an order, by the metadata key that names it (a draw's entry:
# `draw_entry`, registered by `orders.services.draws`): a notification of one goes to its handler.
PAYMENT_HANDLERS: dict[str, Callable] = {}


# --- Creating payments --------------------------------------------------------------------------------------------
def _payment_create(*, order: Order, key: str, replaces: str) -> str:
    """Create (or, with a key already used, fetch back) the payment and keep it on the order; returns its URL."""
    payment = payments.payment_create(order=order, key=key)
    url = payment.confirmation.confirmation_url if payment.confirmation else ""
    # Conditional: only the payment this one replaces may be overwritten (two clicks store the same payment).
    stored = order_payment_transition(
        order=order,
        to=PaymentStatus.PENDING,
        where={"status": OrderStatus.PENDING, "payment_id": replaces},
        changes={"payment_id": payment.id, "payment_url": url},
    )
    if not stored and not Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).exists():
        # The order closed meanwhile: nobody is sent to pay for it (were it paid, the money would go back).
        raise OrderNotPayable()
    logger.info("Payment %s created for order %s", payment.id, order.order_number)
    return url


def order_payment_start(*, order_id: int) -> bool:
    """Create the YooKassa payment of a placed order (called after the order commits); False when it could not.

    Never raises into the caller: if YooKassa is down or slow the order simply stays pending, and `pay/` later
    creates the payment with the same idempotence key (so a payment YooKassa did create is found, not doubled).
    """
    try:
        order = Order.objects.select_related("user").get(pk=order_id)
        if order.status != OrderStatus.PENDING or order.payment_id or order.final_amount <= 0:
            return True
        _payment_create(order=order, key=str(order.payment_idempotence_key), replaces="")
    except Exception:
        logger.exception("The payment of order %s could not be created; the order stays pending", order_id)
        return False
    return True


def order_payment_begin(*, order_id: int) -> None:
    """A placed order's payment, created in the request that placed it, so its answer carries `payment_url`.

    Runs once the order has committed (no transaction is open while YooKassa answers); the call has
    `YOOKASSA_TIMEOUT` and goes through the circuit breaker, so a YooKassa that is down costs at most that wait,
    and an open circuit nothing. When YooKassa cannot answer, the worker creates the payment later
    (`order_payment_enqueue`) with the same idempotence key.
    """
    if not order_payment_start(order_id=order_id):
        order_payment_enqueue(order_id=order_id)


@task()
def order_payment_create(*, order_id: int) -> None:
    """The background task that creates a placed order's payment (`manage.py db_worker` runs it)."""
    order_payment_start(order_id=order_id)


def order_payment_enqueue(*, order_id: int) -> None:
    """Queue the payment's creation (called once the order commits), so a slow YooKassa never holds the request
    that placed the order. If even queueing fails the order stays pending and payable later."""
    try:
        order_payment_create.enqueue(order_id=order_id)
    except Exception:
        logger.exception("Could not queue the payment of order %s; it stays pending", order_id)


def order_payment_retry(*, order: Order) -> str:
    """Pay a pending order (again): the payment URL to send the customer to.

    No payment yet → it is created with the order's key (finding the one a lost answer may have created); a
    payment still pending → its URL; a canceled one → a new payment with a key derived from the canceled one;
    a payment that went through → the order is brought up to date and the call refused as already paid.
    """
    order = Order.objects.select_related("user").get(pk=order.pk)
    if order.status != OrderStatus.PENDING:
        raise OrderAlreadyPaid() if order.status in OrderStatus.HOLDS_PAYMENT else OrderNotPayable()
    if not order.payment_id:
        return _payment_create(order=order, key=str(order.payment_idempotence_key), replaces="")
    try:
        payment = payments.payment_find(order.payment_id)
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
def order_payment_refresh(*, order: Order) -> Order:
    """Read a pending order's payment back from YooKassa and apply what it says, as a notification would have:
    succeeded → paid, waiting for capture → captured, canceled → cancelled. Called before an unpaid order is
    cancelled or expired, so a payment whose notification was lost is applied, never lost.

    Raises `PaymentUnavailable` when YooKassa cannot be asked: the caller must not close the order then.
    """
    order = Order.objects.select_related("user").get(pk=order.pk)
    if order.status != OrderStatus.PENDING or not order.payment_id:
        return order
    try:
        payment = payments.payment_find(order.payment_id)
    except PaymentNotFound:
        # The API knows no such payment: nobody can have paid it.
        logger.warning("Payment %s of order %s is unknown to YooKassa", order.payment_id, order.order_number)
        return order
    if payment.status != PaymentStatus.PENDING:
        order_payment_apply(payment=payment)
        order.refresh_from_db()
    return order


def order_payment_apply(*, payment, refund=None) -> Order | None:
    """Apply a payment as read from the API to its order, once; returns the order, or None when it is not ours.

    - succeeded → paid (the customer is told by SMS); refunded in full → refunded; paid for an order that had
      already been closed → the money is refunded;
    - canceled → the order is cancelled and everything it took given back (only for the order's current payment:
      a canceled earlier attempt that `pay/` replaced changes nothing);
    - waiting_for_capture → captured (the shop always captures), or cancelled if the order closed meanwhile.
    `refund` is a refund of this payment as read from the API (a `refund.succeeded` notification); a whole one
    refunds the order.
    """
    number = (payment.metadata or {}).get("order_number")
    order = Order.objects.select_related("user").filter(order_number=str(number or "")).first()
    if order is None or not payments.payment_matches(order=order, payment=payment):
        logger.warning("Payment %s does not match an order (order number %r); ignored", payment.id, number)
        return None
    if refund is not None and refund.payment_id == payment.id and order_refund_reconcile(refund=refund):
        logger.info("Order %s: refund %s completed by its notification", order.order_number, refund.id)
    if payment.status == PaymentStatus.WAITING_FOR_CAPTURE:
        # The shop always captures: YooKassa's answer to the capture (or to the cancel of a hold whose order
        # closed meanwhile) is then applied below like any payment read back.
        payment = _payment_capture(order=order, payment=payment)
    if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED):
        _payment_succeeded(order=order, payment=payment, refund=refund)
    elif payment.status == PaymentStatus.CANCELED:
        _payment_canceled(order=order, payment=payment)
    order.refresh_from_db()
    return order


def _payment_succeeded(*, order: Order, payment, refund) -> None:
    fully_refunded = payment.status == PaymentStatus.REFUNDED or payments.payment_refunded_in_full(
        order=order, payment=payment, refund=refund
    )
    with transaction.atomic():
        paid = order_mark_paid(order=order, payment_id=payment.id, notify=notifications.notify_order_paid)
        if fully_refunded and order_mark_refunded(order=order):
            logger.info("Order %s refunded", order.order_number)
    if paid:
        logger.info("Order %s paid by payment %s", order.order_number, payment.id)
    elif not fully_refunded and Order.objects.filter(pk=order.pk, status=OrderStatus.CANCELLED).exists():
        _payment_refund_late(order=order, payment=payment)


def _payment_canceled(*, order: Order, payment) -> None:
    if order.payment_id not in ("", payment.id):
        return
    if order_payment_canceled(order=order, notify=notifications.notify_order_payment_canceled):
        logger.info("Order %s cancelled: payment %s canceled", order.order_number, payment.id)


def _payment_refund_late(*, order: Order, payment) -> None:
    """The customer paid an order that had already been closed (expired or cancelled, its units given back):
    the money goes back in full. The key is the one `order_refund` would use, so it is never refunded twice."""
    logger.warning("Payment %s succeeded for closed order %s: refunding it", payment.id, order.order_number)
    refund = payments.refund_create_full(
        order=order, payment_id=payment.id, description=f"Возврат: заказ {order.order_number} отменён до оплаты"
    )
    if refund.status == "succeeded":
        order_payment_transition(
            order=order,
            to=PaymentStatus.REFUNDED,
            where={"status": OrderStatus.CANCELLED},
            changes={"payment_id": payment.id},
            message="Оплата пришла после отмены заказа: деньги возвращены.",
        )


def _payment_capture(*, order: Order, payment):
    """Capture a payment waiting for capture (cancel it if its order closed meanwhile): YooKassa's answer."""
    order_payment_transition(
        order=order,
        to=PaymentStatus.WAITING_FOR_CAPTURE,
        where={"status": OrderStatus.PENDING},
        changes={"payment_id": payment.id},
    )
    order.refresh_from_db(fields=["status"])
    if order.status == OrderStatus.PENDING:
        return payments.payment_capture(order=order, payment_id=payment.id)
    # The order closed meanwhile (expired, cancelled): the customer's money is released, not taken.
    return payments.payment_cancel(order=order, payment_id=payment.id)


def payment_notification_handle(*, data) -> Order | None:
    """A YooKassa notification: only the payment id is taken from it; the payment is read back from the API.

    Raises `NotificationRejected` for a body that is not a notification or names no payment of the API, and
    `PaymentUnavailable` when the API cannot be asked (YooKassa then repeats the notification later).
    """
    named = payments.notification_read(data=data)
    if named is None:
        return None
    payment_id, refund_id = named
    try:
        payment = payments.payment_find(payment_id)
    except PaymentNotFound as error:
        raise payments.NotificationRejected("Платёж не найден.", code="payment_not_found") from error
    refund = payments.refund_find(refund_id) if refund_id else None
    for key, handler in PAYMENT_HANDLERS.items():
        if key in (payment.metadata or {}) and "order_number" not in (payment.metadata or {}):
            if refund is not None and refund.payment_id == payment.id:
                order_refund_reconcile(refund=refund)  # a won draw's order is refunded as any order is
            handler(payment=payment)
            return None
    return order_payment_apply(payment=payment, refund=refund)
