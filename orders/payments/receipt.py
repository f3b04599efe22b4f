"""The 54-FZ receipt sent with a payment (and a refund), and the payment request itself."""

from django.conf import settings

from config.money import from_kopecks, kopecks
from orders.models import Order

CURRENCY = "RUB"
RECEIPT_TEXT_MAX = 128


def _value(amount: int) -> str:
    return f"{from_kopecks(amount):.2f}"


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
    final = kopecks(order.final_amount)
    sums = [kopecks(item.price) * item.quantity for item in items]
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
        "amount": {"value": _value(unit_kopecks), "currency": CURRENCY},
        "vat_code": settings.YOOKASSA_VAT_CODE,
        "payment_subject": "commodity",
        "payment_mode": "full_prepayment",
    }


def receipt_for(order: Order) -> dict:
    """The 54-FZ receipt of the whole order: the customer's phone and the items."""
    return {"customer": {"phone": order.user.phone.lstrip("+")}, "items": receipt_items(order=order)}


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
