"""What the customer is told by SMS about their order. Texts are Russian; sending goes through `sms_enqueue`,
so nothing leaves before the transaction commits and a failed send never touches the order."""

from accounts.sms import sms_enqueue, sms_signed
from config.money import rub


def order_paid_text(order) -> str:
    return sms_signed(f"заказ {order.order_number} оплачен, {rub(order.final_amount)}. Спасибо за покупку!")


def order_shipped_text(order) -> str:
    return sms_signed(f"заказ {order.order_number} отправлен. Трек-номер: {order.tracking_number}.")


def order_payment_canceled_text(order) -> str:
    return sms_signed(f"оплата заказа {order.order_number} не прошла, заказ отменён.")


def order_refunded_text(order, *, amount, full: bool) -> str:
    what = "возвращены деньги за заказ" if full else "возвращена часть денег за заказ"
    return sms_signed(
        f"{what} {order.order_number}, {rub(amount)}. Они придут на карту в течение нескольких дней."
    )


def notify_customer(order, text: str) -> None:
    """Text the order's customer, if the order still names one (`text` as it is, signed)."""
    phone = getattr(order.user, "phone", "")
    if phone:
        sms_enqueue(phone=phone, text=text)


def notify_order_paid(order) -> None:
    """The payment went through."""
    notify_customer(order, order_paid_text(order))


def notify_order_shipped(order) -> None:
    """The order is on its way; the text carries the tracking number."""
    notify_customer(order, order_shipped_text(order))


def notify_order_payment_canceled(order) -> None:
    """The payment was canceled, so the order was cancelled and its units given back."""
    notify_customer(order, order_payment_canceled_text(order))


def notify_wave_status(*, phone: str, order_number: str, wave, message: str) -> None:
    """A preorder's wave moved on (production, shipping…)."""
    if phone:
        sms_enqueue(phone=phone, text=sms_signed(f"заказ {order_number}, «{wave.product.name}». {message}"))


def notify_order_refunded(order, *, amount, full: bool) -> None:
    """Money went back (all of it, or for some units)."""
    notify_customer(order, order_refunded_text(order, amount=amount, full=full))
