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
import uuid
from decimal import Decimal
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from yookassa import Configuration, Payment, Refund
from yookassa.client import ApiClient
from yookassa.domain.exceptions import NotFoundError
from yookassa.domain.notification import WebhookNotificationEventType, WebhookNotificationFactory

from config.errors import ConflictError, DomainError
from orders import notifications
from orders import services as order_services
from orders.models import Order, OrderStatus, PaymentStatus

logger = logging.getLogger("dwc.payments")

CURRENCY = "RUB"
KOPECK = Decimal("0.01")
RECEIPT_TEXT_MAX = 128
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
REFUNDABLE_STATUSES = (OrderStatus.PAID, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


class PaymentUnavailable(DomainError):
    """YooKassa could not be reached or refused the call; nothing was charged twice, the order is kept."""

    status = 503
    code = "payment_unavailable"
    default_message = "Платёжный сервис временно недоступен. Попробуйте ещё раз через минуту."


class PaymentNotFound(PaymentUnavailable):
    """The API knows no such payment (or refund)."""

    status = 404
    code = "payment_not_found"
    default_message = "Платёж не найден в ЮKassa."


class OrderNotPayable(ConflictError):
    code = "order_not_payable"
    default_message = "Этот заказ нельзя оплатить."


class OrderAlreadyPaid(OrderNotPayable):
    code = "order_already_paid"
    default_message = "Заказ уже оплачен."


class OrderNotRefundable(ConflictError):
    code = "order_not_refundable"
    default_message = "Вернуть деньги можно только за оплаченный заказ."


class NotificationRejected(DomainError):
    """A notification body that is not a YooKassa notification about a payment of this shop."""

    code = "invalid_notification"
    default_message = "Уведомление не распознано."


# --- The SDK ------------------------------------------------------------------------------------------------------
class _TimedApiClient(ApiClient):
    """The SDK's client with a network timeout: the SDK sets none, and a hung API must not hang a request."""

    def get_session(self):
        session = super().get_session()
        session.request = partial(session.request, timeout=settings.YOOKASSA_TIMEOUT)
        # A local fake on loopback is reached directly, whatever proxy the environment names for the outside.
        if urlsplit(settings.YOOKASSA_API_URL).hostname in LOOPBACK_HOSTS:
            session.trust_env = False
        return session


class _Payment(Payment):
    def __init__(self):
        self.client = _TimedApiClient()


class _Refund(Refund):
    def __init__(self):
        self.client = _TimedApiClient()


def _api(call, *args, **kwargs):
    """Call the API with the shop's credentials; every failure becomes `PaymentUnavailable`."""
    Configuration.configure(
        settings.YOOKASSA_SHOP_ID,
        settings.YOOKASSA_SECRET_KEY,
        api_url=settings.YOOKASSA_API_URL,
        max_attempts=1,
    )
    try:
        return call(*args, **kwargs)
    except NotFoundError as error:
        raise PaymentNotFound() from error
    except Exception as error:
        # The SDK turns network errors into AttributeError; its own errors carry the API's answer.
        logger.warning("YooKassa call %s failed: %r", getattr(call, "__name__", call), error)
        raise PaymentUnavailable() from error


def _key(order: Order, purpose: str) -> str:
    return str(uuid.uuid5(order.payment_idempotence_key, purpose))


# --- The 54-FZ receipt --------------------------------------------------------------------------------------------
def _kopecks(value: Decimal) -> int:
    return int((value / KOPECK).to_integral_value())


def _rubles(kopecks: int) -> str:
    return f"{Decimal(kopecks) * KOPECK:.2f}"


def _line_description(item) -> str:
    text = item.product.name if item.size in ("", "ONE SIZE") else f"{item.product.name}, размер {item.size}"
    return text[:RECEIPT_TEXT_MAX]


def receipt_items(*, order: Order) -> list[dict]:
    """One receipt item per order line, at its price after the discount, adding up to `final_amount` exactly.

    The discount is spread over the lines it applies to (a restricted promo code's products, else all lines) in
    proportion to their sums; the kopecks left by rounding go one each to the lines with the largest remainders,
    earlier lines first. A receipt item's amount is a unit price, so a line whose discounted sum does not divide
    by its quantity is given as two items (quantity − 1 at the lower unit price, and one unit with the rest).
    """
    items = list(order.items.select_related("product").order_by("id"))
    final = _kopecks(order.final_amount)
    sums = [_kopecks(item.price) * item.quantity for item in items]
    discount = sum(sums) - final
    if not items or discount < 0:
        # The lines do not explain the amount (a hand-made order): one item for the whole order.
        return [_receipt_item(f"Заказ {order.order_number}", 1, final)]

    eligible = list(range(len(items)))
    promo_product_ids = (
        set(order.promo_code.products.values_list("pk", flat=True)) if order.promo_code_id else set()
    )
    if promo_product_ids:
        restricted = [i for i, item in enumerate(items) if item.product_id in promo_product_ids]
        if sum(sums[i] for i in restricted) >= discount:
            eligible = restricted
    base = sum(sums[i] for i in eligible)
    shares = [0] * len(items)
    remainders = []
    for i in eligible:
        shares[i], remainder = divmod(discount * sums[i], base) if base else (0, 0)
        remainders.append((-remainder, i))
    for _, i in sorted(remainders)[: discount - sum(shares)]:
        shares[i] += 1

    receipt = []
    for item, line_sum, share in zip(items, sums, shares, strict=True):
        line_final = line_sum - share
        unit, rest = divmod(line_final, item.quantity)
        description = _line_description(item)
        if not rest:
            receipt.append(_receipt_item(description, item.quantity, unit))
        else:
            if item.quantity > 1:
                receipt.append(_receipt_item(description, item.quantity - 1, unit))
            receipt.append(_receipt_item(description, 1, unit + rest))
    return receipt


def _receipt_item(description: str, quantity: int, unit_kopecks: int) -> dict:
    return {
        "description": description,
        "quantity": quantity,
        "amount": {"value": _rubles(unit_kopecks), "currency": CURRENCY},
        "vat_code": settings.YOOKASSA_VAT_CODE,
        "payment_subject": "commodity",
        "payment_mode": "full_prepayment",
    }


def _receipt(order: Order) -> dict:
    return {"customer": {"phone": order.user.phone.lstrip("+")}, "items": receipt_items(order=order)}


def payment_request(*, order: Order) -> dict:
    """What YooKassa is asked for: the order's final amount in rubles, captured at once, with its receipt."""
    return {
        "amount": {"value": f"{order.final_amount:.2f}", "currency": CURRENCY},
        "capture": True,
        "confirmation": {"type": "redirect", "return_url": f"{settings.SITE_URL}/orders/{order.order_number}/"},
        "description": f"Оплата заказа {order.order_number}"[:RECEIPT_TEXT_MAX],
        "metadata": {"order_number": order.order_number},
        "receipt": _receipt(order),
    }


# --- Creating payments --------------------------------------------------------------------------------------------
def _payment_create(*, order: Order, idempotence_key: str, replaces: str) -> str:
    """Create (or, with a key already used, fetch back) the payment and keep it on the order; returns its URL."""
    payment = _api(_Payment.create, payment_request(order=order), idempotence_key)
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
        _payment_create(order=order, idempotence_key=str(order.payment_idempotence_key), replaces="")
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
        return _payment_create(order=order, idempotence_key=str(order.payment_idempotence_key), replaces="")
    try:
        payment = _api(_Payment.find_one, order.payment_id)
    except PaymentNotFound:
        # The API does not know the stored payment (another shop account?): a fresh one, never the same key.
        key = _key(order, f"after:{order.payment_id}")
        return _payment_create(order=order, idempotence_key=key, replaces=order.payment_id)
    if payment.status == PaymentStatus.PENDING:
        return payment.confirmation.confirmation_url if payment.confirmation else order.payment_url
    if payment.status == PaymentStatus.CANCELED:
        key = _key(order, f"after:{payment.id}")
        return _payment_create(order=order, idempotence_key=key, replaces=payment.id)
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


def _payment_refund_late(*, order: Order, payment) -> None:
    """The customer paid an order that had already been closed (expired or cancelled, its units given back):
    the money goes back in full. The key is the one `order_refund` would use, so it is never refunded twice."""
    logger.warning("Payment %s succeeded for closed order %s: refunding it", payment.id, order.order_number)
    request = {
        "payment_id": payment.id,
        "amount": {"value": f"{order.final_amount:.2f}", "currency": CURRENCY},
        "description": f"Возврат: заказ {order.order_number} отменён до оплаты"[:RECEIPT_TEXT_MAX],
        "receipt": _receipt(order),
    }
    refund = _api(_Refund.create, request, _key(order, f"refund:{payment.id}"))
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
        captured = _api(_Payment.capture, payment.id, None, _key(order, f"capture:{payment.id}"))
    else:
        # The order closed meanwhile (expired, cancelled): the customer's money is released, not taken.
        captured = _api(_Payment.cancel, payment.id, _key(order, f"cancel:{payment.id}"))
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
        payment = _api(_Payment.find_one, payment_id)
    except PaymentNotFound as error:
        raise NotificationRejected("Платёж не найден.", code="payment_not_found") from error
    refund = None
    if isinstance(refund_id, str) and refund_id:
        try:
            refund = _api(_Refund.find_one, refund_id)
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
    request = {
        "payment_id": order.payment_id,
        "amount": {"value": f"{order.final_amount:.2f}", "currency": CURRENCY},
        "description": f"Возврат по заказу {order.order_number}"[:RECEIPT_TEXT_MAX],
        "receipt": _receipt(order),
    }
    refund = _api(_Refund.create, request, _key(order, f"refund:{order.payment_id}"))
    if refund.status == "canceled":
        raise PaymentUnavailable("ЮKassa отклонила возврат.", code="refund_canceled")
    if refund.status == "succeeded" and order_services.order_mark_refunded(order=order):
        logger.info("Order %s refunded by refund %s", order.order_number, refund.id)
    order.refresh_from_db()
    return order
