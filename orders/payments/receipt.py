"""54-FZ receipts: the payment's (and a full refund's), a refund's by line, a wave's settlement; the payment request.

Every receipt adds up to its amount to the kopeck. The goods lines are the order's lines at their stored sums
after the discount (`OrderItem.final_amount`, written when the order is placed: `Order.priced_items`); delivery is
its own line (`payment_subject: service`) at `delivery_amount`.
"""

from django.conf import settings

from config.money import from_kopecks, kopecks
from orders.models import Order, OrderItem

CURRENCY = "RUB"
RECEIPT_TEXT_MAX = 128
DELIVERY_DESCRIPTION = "Доставка СДЭК"


def _value(amount: int) -> str:
    return f"{from_kopecks(amount):.2f}"


def _line_description(item) -> str:
    text = item.product.name if item.size in ("", "ONE SIZE") else f"{item.product.name}, размер {item.size}"
    return text[:RECEIPT_TEXT_MAX]


def _units(description: str, quantity: int, line_final: int, mode: str, subject: str = "commodity") -> list[dict]:
    """`quantity` units summing to `line_final`: a receipt item's amount is a unit price, so a sum that does not
    divide by the quantity is given as two items (quantity − 1 at the lower unit price, and one with the rest)."""
    unit, rest = divmod(line_final, quantity)
    if not rest:
        return [_receipt_item(description, quantity, unit, mode, subject)]
    items = [_receipt_item(description, quantity - 1, unit, mode, subject)] if quantity > 1 else []
    return [*items, _receipt_item(description, 1, unit + rest, mode, subject)]


def receipt_items(*, order: Order, mode: str = "full_prepayment") -> list[dict]:
    """One receipt item per order line at its price after the discount, and the delivery line: adding up to
    `final_amount` exactly."""
    items = order.priced_items()
    if items is None:
        # The lines do not explain the amount: one item for the whole order.
        return [_receipt_item(f"Заказ {order.order_number}", 1, kopecks(order.final_amount), mode)]
    receipt = []
    for item in items:
        receipt += _units(_line_description(item), item.quantity, kopecks(item.final_amount), mode)
    return receipt + delivery_items(amount=kopecks(order.delivery_amount), mode=mode)


def delivery_items(*, amount: int, mode: str = "full_prepayment") -> list[dict]:
    """The delivery line (a service), when there is something to pay for it."""
    return [_receipt_item(DELIVERY_DESCRIPTION, 1, amount, mode, "service")] if amount > 0 else []


def _receipt_item(
    description: str, quantity: int, unit_kopecks: int, mode: str = "full_prepayment", subject: str = "commodity"
) -> dict:
    return {
        "description": description,
        "quantity": quantity,
        "amount": {"value": _value(unit_kopecks), "currency": CURRENCY},
        "vat_code": settings.YOOKASSA_VAT_CODE,
        "payment_subject": subject,
        "payment_mode": mode,
    }


def _customer(order: Order) -> dict:
    return {"phone": order.user.phone.lstrip("+")}


def _receipt(order: Order, items: list[dict]) -> dict:
    receipt = {"customer": _customer(order), "items": items}
    if settings.YOOKASSA_TAX_SYSTEM_CODE:
        receipt["tax_system_code"] = settings.YOOKASSA_TAX_SYSTEM_CODE
    return receipt


def receipt_for(order: Order) -> dict:
    """The 54-FZ receipt of the whole order: the customer's phone and the items."""
    return _receipt(order, receipt_items(order=order))


def refund_receipt(
    *, order: Order, lines: list[tuple[OrderItem, int, int]], delivery: int, whole: int = 0
) -> dict:
    """The receipt of a refund: the refunded units of each line (item, quantity, kopecks) and the delivery
    refunded (kopecks), adding up to the refund's amount (`whole`: an order refunded as one item)."""
    items = [_receipt_item(f"Заказ {order.order_number}", 1, whole)] if whole else []
    for item, quantity, amount in lines:
        items += _units(_line_description(item), quantity, amount, "full_prepayment")
    return _receipt(order, items + delivery_items(amount=delivery))


def settlement_request(*, order: Order, lines: list[tuple[OrderItem, int, int]], delivery: int) -> dict:
    """`POST /v3/receipts` for the goods of a prepaid order now shipped: a `payment` receipt with
    `full_payment` items, settled against the prepayment already received (`settlements: prepayment`)."""
    items = []
    for item, quantity, amount in lines:
        items += _units(_line_description(item), quantity, amount, "full_payment")
    items += delivery_items(amount=delivery, mode="full_payment")
    total = sum(kopecks(i["amount"]["value"]) * i["quantity"] for i in items)
    request = {
        "type": "payment",
        "payment_id": order.payment_id,
        "send": True,
        **_receipt(order, items),
        "settlements": [{"type": "prepayment", "amount": {"value": _value(total), "currency": CURRENCY}}],
    }
    return request


def payment_request(*, order: Order) -> dict:
    """What YooKassa is asked for: the order's final amount in rubles, captured at once, with its receipt."""
    return {
        "amount": {"value": f"{order.final_amount:.2f}", "currency": CURRENCY},
        "capture": True,
        "confirmation": {"type": "redirect", "return_url": f"{settings.SITE_URL}/orders/{order.order_number}/"},
        "description": f"Оплата заказа {order.order_number}"[:RECEIPT_TEXT_MAX],
        "metadata": {"order_number": order.order_number},
        "receipt": receipt_for(order),
    }
