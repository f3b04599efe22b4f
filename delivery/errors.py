"""Refusals of the delivery app, in the shop's one error format (see `config/errors.py`)."""

from config.errors import DomainError


class CdekPointUnknown(DomainError):
    code = "cdek_point_unknown"
    field = "cdek_point"
    default_message = "Пункт выдачи СДЭК с таким кодом не найден. Выберите пункт из списка."


class CityUnknown(DomainError):
    code = "city_unknown"
    field = "city"
    default_message = "СДЭК не знает такой город. Проверьте название."


class DeliveryRequired(DomainError):
    code = "delivery_required"
    default_message = "Укажите способ доставки: пункт выдачи СДЭК или адрес для курьера."


class DeliveryUnavailable(DomainError):
    """CDEK does not answer and nothing is cached: the customer may try again or choose a courier."""

    status = 503
    code = "delivery_unavailable"
    default_message = "СДЭК сейчас не отвечает. Попробуйте через минуту или выберите доставку курьером."
