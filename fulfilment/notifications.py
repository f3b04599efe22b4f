"""What the customer is told by SMS about the parcel and a return. Texts are Russian; `sms_enqueue` sends after
commit, so a rolled-back change tells nobody."""

from django.conf import settings

from accounts.sms import sms_signed
from config.russian import count_ru
from delivery.selectors import delivery_tracking_url
from orders.notifications import notify_customer


def notify_order_shipped(order) -> None:
    url = delivery_tracking_url(tracking_number=order.tracking_number)
    notify_customer(
        order, sms_signed(f"заказ {order.order_number} в пути, трек-номер СДЭК {order.tracking_number}. {url}")
    )


def notify_order_delivered(order) -> None:
    days = count_ru(settings.RETURN_DAYS, "дня", "дней", "дней")
    notify_customer(order, sms_signed(f"заказ {order.order_number} вручён. Вернуть товар можно в течение {days}."))


def notify_parcel_returned(order) -> None:
    notify_customer(
        order, sms_signed(f"заказ {order.order_number} не был получен, СДЭК возвращает его в магазин.")
    )


def notify_return(order, text: str) -> None:
    """A step of the customer's return (accepted, refused, received, refunded)."""
    notify_customer(order, sms_signed(f"возврат по заказу {order.order_number}. {text}"))
