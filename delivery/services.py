"""Delivery rules: which way an order travels and what it costs.

The price comes from CDEK's tariff calculator for the parcel's weight, never from the client. When CDEK is not
configured, does not answer within `CDEK_TIMEOUT` seconds, or fails on its side, the flat `DELIVERY_FLAT_AMOUNT`
applies, so an order always has a price and goes through.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from config.money import money
from delivery.cdek import CdekClient, CdekRefused, CdekUnavailable
from delivery.errors import CityUnknown, DeliveryRequired, DeliveryUnavailable
from delivery.models import DeliveryMethod
from delivery.selectors import DeliveryPoint, delivery_city_code, delivery_point_get

logger = logging.getLogger("dwc.delivery")

# CDEK's tariffs for an online store's parcel: from our warehouse to a pickup point, or to the door.
TARIFF_BY_METHOD = {DeliveryMethod.CDEK_PICKUP: 136, DeliveryMethod.COURIER: 137}


@dataclass(frozen=True)
class DeliveryQuote:
    """The delivery price; `source` is `cdek` (CDEK's calculator, with days on the road) or `flat`."""

    amount: Decimal
    period_min: int | None
    period_max: int | None
    source: str


def delivery_method_infer(*, method: str = "", cdek_point: str = "", address: str = "") -> str:
    """The delivery method a client meant: as given, else a pickup point means pickup, an address a courier.

    Neither is `DeliveryRequired`; a pickup without a point or a courier without an address is too.
    """
    cdek_point, address = (cdek_point or "").strip(), (address or "").strip()
    if not method:
        method = DeliveryMethod.CDEK_PICKUP if cdek_point else DeliveryMethod.COURIER if address else ""
    if method == DeliveryMethod.CDEK_PICKUP and not cdek_point:
        raise DeliveryRequired("Выберите пункт выдачи СДЭК.", cdek_point=["Выберите пункт выдачи СДЭК."])
    if method == DeliveryMethod.COURIER and not address:
        raise DeliveryRequired("Укажите адрес доставки.", delivery_address=["Укажите адрес доставки."])
    if method not in DeliveryMethod.values:
        raise DeliveryRequired()
    return DeliveryMethod(method)


def delivery_flat_quote() -> DeliveryQuote:
    return DeliveryQuote(
        amount=Decimal(settings.DELIVERY_FLAT_AMOUNT), period_min=None, period_max=None, source="flat"
    )


def delivery_quote(
    *, weight_grams: int, method: str, point: DeliveryPoint | str | None = None, city: str = ""
) -> DeliveryQuote:
    """The price of a parcel of `weight_grams` from `CDEK_FROM_LOCATION` by `method`.

    A pickup goes to `point` (a `DeliveryPoint` or its code; an unknown code is `CdekPointUnknown`); a courier goes
    to `city`, the order's own field and never a city read from the address (a city CDEK does not know is
    `CityUnknown`, and is then refused from the cache without asking CDEK again; no city at all is
    `DeliveryRequired` with code `city_required` while CDEK prices deliveries). Whenever CDEK cannot answer, the
    flat price applies.
    """
    method = DeliveryMethod(method)
    weight_grams = max(int(weight_grams), 1)
    if method == DeliveryMethod.CDEK_PICKUP and not point:
        raise DeliveryRequired("Выберите пункт выдачи СДЭК.", cdek_point=["Выберите пункт выдачи СДЭК."])
    client = CdekClient.from_settings()
    if not client.configured:
        return delivery_flat_quote()
    try:
        if method == DeliveryMethod.CDEK_PICKUP:
            if not isinstance(point, DeliveryPoint):
                point = delivery_point_get(code=point)
            to_code = point.city_code
        elif city.strip():
            to_code = delivery_city_code(city=city)
        else:
            raise DeliveryRequired(
                "Укажите город доставки: от него зависит цена курьера.", code="city_required", field="city"
            )
        answer = client.tariff(
            tariff_code=TARIFF_BY_METHOD[method],
            from_code=settings.CDEK_FROM_LOCATION,
            to_code=to_code,
            weight_grams=weight_grams,
        )
        amount = money(answer["delivery_sum"])
    except (CdekUnavailable, DeliveryUnavailable):
        logger.warning("CDEK did not price a %s g parcel (%s): the flat price applies", weight_grams, method)
        return delivery_flat_quote()
    except CdekRefused as refusal:
        if "v2_location_not_found" in refusal.codes or "v2_entity_not_found" in refusal.codes:
            raise CityUnknown() from refusal
        logger.warning("CDEK refused to price a %s g parcel (%s): %s", weight_grams, method, refusal.codes)
        return delivery_flat_quote()
    except (KeyError, TypeError, ArithmeticError, ValueError):
        logger.warning("CDEK priced a %s g parcel in a shape we do not read: the flat price applies", weight_grams)
        return delivery_flat_quote()
    return DeliveryQuote(
        amount=amount,
        period_min=answer.get("period_min"),
        period_max=answer.get("period_max"),
        source="cdek",
    )
