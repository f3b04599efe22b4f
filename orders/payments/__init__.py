"""YooKassa, over the official SDK: payments, refunds and notifications as the API has them.

Nothing here changes an order: `orders.services` decides what a payment means for its order; this package only
talks to YooKassa and reports what it said.

Idempotence keys are derived from the order (`Order.payment_idempotence_key`), so repeating any call (after a
timeout, a double click, a lost answer) never creates a second charge: the first payment uses the order's key;
a payment after a canceled one uses a key derived from the order's key and the canceled payment's id; a refund,
a capture and a cancel use keys derived from the payment they act on.
"""

from decimal import Decimal

from yookassa.domain.notification import WebhookNotificationEventType, WebhookNotificationFactory

from orders.models import Order
from orders.payments.client import (
    TimedPayment,
    TimedReceipt,
    TimedRefund,
    idempotence_key,
    payment_find,
    yookassa_call,
)
from orders.payments.errors import (
    NotificationRejected,
    OrderAlreadyPaid,
    OrderNotPayable,
    OrderNotRefundable,
    PaymentCheckUnavailable,
    PaymentNotFound,
    PaymentUnavailable,
)
from orders.payments.receipt import (
    CURRENCY,
    RECEIPT_TEXT_MAX,
    payment_request,
    receipt_for,
    receipt_items,
    refund_receipt,
    settlement_request,
)

__all__ = [
    "NotificationRejected",
    "OrderAlreadyPaid",
    "OrderNotPayable",
    "OrderNotRefundable",
    "PaymentCheckUnavailable",
    "PaymentNotFound",
    "PaymentUnavailable",
    "HOLD_METHODS",
    "hold_cancel",
    "hold_capture",
    "hold_create",
    "idempotence_key",
    "notification_read",
    "payment_cancel",
    "payment_capture",
    "payment_create",
    "payment_find",
    "payment_matches",
    "payment_refunded_in_full",
    "payment_request",
    "receipt_items",
    "receipt_create",
    "refund_create",
    "refund_create_full",
    "refund_receipt",
    "settlement_request",
    "refund_find",
]


def payment_create(*, order: Order, key: str):
    """Create the order's payment (or, with a key already used, get the same payment back)."""
    return yookassa_call(TimedPayment.create, payment_request(order=order), key)


def payment_capture(*, order: Order, payment_id: str):
    return yookassa_call(TimedPayment.capture, payment_id, None, idempotence_key(order, f"capture:{payment_id}"))


def payment_cancel(*, order: Order, payment_id: str):
    return yookassa_call(TimedPayment.cancel, payment_id, idempotence_key(order, f"cancel:{payment_id}"))


# --- Holds (two-stage payments: a draw's entries) ------------------------------------------------------------------
# Only these methods can hold money; YooKassa's page offers only them for a payment with `capture: false`.
HOLD_METHODS = ("bank_card", "sberbank", "tinkoff_bank")


def hold_create(*, amount, description: str, metadata: dict, return_url: str, key: str):
    """A payment that only holds the money (`capture: false`) until the shop captures or cancels it. No receipt
    yet: there is no order until the hold is captured, and the capture carries the order's receipt."""
    request = {
        "amount": {"value": f"{amount:.2f}", "currency": CURRENCY},
        "capture": False,
        "confirmation": {"type": "redirect", "return_url": return_url},
        "description": description[:RECEIPT_TEXT_MAX],
        "metadata": metadata,
    }
    return yookassa_call(TimedPayment.create, request, key)


def hold_capture(*, order: Order, payment_id: str):
    """Take the order's final amount of a hold, with the order's receipt (54-FZ: the receipt of what is taken)."""
    request = {
        "amount": {"value": f"{order.final_amount:.2f}", "currency": CURRENCY},
        "receipt": receipt_for(order),
    }
    return yookassa_call(
        TimedPayment.capture, payment_id, request, idempotence_key(order, f"capture:{payment_id}")
    )


def hold_cancel(*, payment_id: str, key: str):
    """Release a hold (a draw's losing or cancelled entry)."""
    return yookassa_call(TimedPayment.cancel, payment_id, key)


def refund_create_full(*, order: Order, payment_id: str, description: str):
    """Ask YooKassa to return the whole final amount of a payment, with a receipt. The idempotence key is
    derived from the order and the payment, so every path that refunds one payment refunds it once."""
    request = {
        "payment_id": payment_id,
        "amount": {"value": f"{order.final_amount:.2f}", "currency": CURRENCY},
        "description": description[:RECEIPT_TEXT_MAX],
        "receipt": receipt_for(order),
    }
    return yookassa_call(TimedRefund.create, request, idempotence_key(order, f"refund:{payment_id}"))


def refund_create(*, payment_id: str, amount, receipt: dict, description: str, key: str):
    """Ask YooKassa to return `amount` of a payment with its refund receipt, under the caller's idempotence key."""
    request = {
        "payment_id": payment_id,
        "amount": {"value": f"{amount:.2f}", "currency": CURRENCY},
        "description": description[:RECEIPT_TEXT_MAX],
        "receipt": receipt,
    }
    return yookassa_call(TimedRefund.create, request, key)


def receipt_create(*, request: dict, key: str):
    """Send a receipt of its own (`POST /v3/receipts`: a settlement receipt) under the caller's key."""
    return yookassa_call(TimedReceipt.create, request, key)


def refund_find(refund_id: str):
    """The refund as the API has it, or None when the API knows no such refund."""
    try:
        return yookassa_call(TimedRefund.find_one, refund_id)
    except PaymentNotFound:
        return None


def notification_read(*, data) -> tuple[str, str | None] | None:
    """The payment id (and refund id) a notification names: nothing else of its body is trusted.

    None for events the shop does not act on; `NotificationRejected` for a body that is no notification.
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
    return payment_id, refund_id if isinstance(refund_id, str) and refund_id else None


def payment_matches(*, order: Order, payment) -> bool:
    """The payment is this order's: its amount, currency and order number are the order's own."""
    metadata = payment.metadata or {}
    amount = payment.amount
    return (
        amount is not None
        and amount.currency == CURRENCY
        and Decimal(str(amount.value)) == order.final_amount
        and metadata.get("order_number") == order.order_number
    )


def payment_refunded_in_full(*, order: Order, payment, refund=None) -> bool:
    """The payment's whole amount went back: by the payment's own count, or by a succeeded refund of it."""
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
