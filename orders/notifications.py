"""What the customer is told by SMS about their order. Texts are Russian; sending goes through `sms_enqueue`,
so nothing leaves before the transaction commits and a failed send never touches the order."""

from accounts.sms import SMS_SIGNATURE, sms_enqueue
from config.money import rub

SHOP_NAME = SMS_SIGNATURE


def order_paid_text(order) -> str:
    return f"{SHOP_NAME}: заказ {order.order_number} оплачен, {rub(order.final_amount)}. Спасибо за покупку!"


def order_shipped_text(order) -> str:
    return f"{SHOP_NAME}: заказ {order.order_number} отправлен. Трек-номер: {order.tracking_number}."


def order_payment_canceled_text(order) -> str:
    return f"{SHOP_NAME}: оплата заказа {order.order_number} не прошла, заказ отменён."


def order_refunded_text(order, *, amount, full: bool) -> str:
    what = "возвращены деньги за заказ" if full else "возвращена часть денег за заказ"
    return (
        f"{SHOP_NAME}: {what} {order.order_number}, {rub(amount)}. Они придут на карту в течение нескольких дней."
    )


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


def notify_wave_status(*, phone: str, order_number: str, wave, message: str) -> None:
    """A preorder's wave moved on (production, shipping…)."""
    if phone:
        sms_enqueue(phone=phone, text=f"{SHOP_NAME}: заказ {order_number}, «{wave.product.name}». {message}")


def notify_order_refunded(order, *, amount, full: bool) -> None:
    """Money went back (all of it, or for some units)."""
    _notify(order, order_refunded_text(order, amount=amount, full=full))
