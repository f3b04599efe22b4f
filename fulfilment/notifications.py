"""What the customer is told by SMS about the parcel and a return. Texts are Russian; `sms_enqueue` sends after
commit, so a rolled-back change tells nobody."""

from django.conf import settings

from accounts.sms import sms_enqueue
from config.russian import count_ru
from delivery.selectors import delivery_tracking_url

SHOP_NAME = "DWC Shop"


def _notify(order, text: str) -> None:
    phone = getattr(order.user, "phone", "")
    if phone:
        sms_enqueue(phone=phone, text=text)


def notify_order_shipped(order) -> None:
    url = delivery_tracking_url(tracking_number=order.tracking_number)
    _notify(
        order, f"{SHOP_NAME}: заказ {order.order_number} в пути, трек-номер СДЭК {order.tracking_number}. {url}"
    )


def notify_order_delivered(order) -> None:
    days = count_ru(settings.RETURN_DAYS, "дня", "дней", "дней")
    _notify(order, f"{SHOP_NAME}: заказ {order.order_number} вручён. Вернуть товар можно в течение {days}.")


def notify_parcel_returned(order) -> None:
    _notify(order, f"{SHOP_NAME}: заказ {order.order_number} не был получен, СДЭК возвращает его в магазин.")


def notify_return(order, text: str) -> None:
    """A step of the customer's return (accepted, refused, received, refunded)."""
    _notify(order, f"{SHOP_NAME}: возврат по заказу {order.order_number}. {text}")
