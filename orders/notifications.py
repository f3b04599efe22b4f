"""What the customer is told by SMS about their order. Texts are Russian; sending goes through `sms_enqueue`,
so nothing leaves before the transaction commits and a failed send never touches the order."""

from decimal import Decimal

from accounts.sms import sms_enqueue

SHOP_NAME = "DWC Shop"


def _rubles(amount: Decimal) -> str:
    # 3490.00 → «3 490 ₽», 3490.50 → «3 490,50 ₽»
    whole = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return whole.replace(",", " ").replace(".", ",") + " ₽"


def order_paid_text(order) -> str:
    return f"{SHOP_NAME}: заказ {order.order_number} оплачен, {_rubles(order.final_amount)}. Спасибо за покупку!"


def order_shipped_text(order) -> str:
    return f"{SHOP_NAME}: заказ {order.order_number} отправлен. Трек-номер: {order.tracking_number}."


def order_payment_canceled_text(order) -> str:
    return f"{SHOP_NAME}: оплата заказа {order.order_number} не прошла, заказ отменён."


def _notify(order, text: str) -> None:
    phone = getattr(order.user, "phone", "")
    if phone:
        sms_enqueue(phone=phone, text=text)


def notify_order_paid(order) -> None:
    """The payment went through."""
    _notify(order, order_paid_text(order))


def notify_order_shipped(order) -> None:
    """The order is on its way; the text carries the tracking number."""
    _notify(order, order_shipped_text(order))


def notify_order_payment_canceled(order) -> None:
    """The payment was canceled, so the order was cancelled and its units given back."""
    _notify(order, order_payment_canceled_text(order))
