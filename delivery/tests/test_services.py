"""The delivery service API the orders app builds on: point checks, weights, methods, tracking links."""

import pytest
from django.core.cache import cache

from catalog.tests.factories import ProductFactory
from delivery.errors import CdekPointUnknown, CityUnknown, DeliveryRequired, DeliveryUnavailable
from delivery.models import DeliveryMethod
from delivery.selectors import _key, delivery_items_weight, delivery_point_get, delivery_tracking_url
from delivery.services import delivery_method_infer, delivery_quote

# The CDEK token is cached in the shared cache, a database table when Redis is not set up.
pytestmark = pytest.mark.django_db


def test_point_get_gives_what_an_order_snapshots(fake_cdek):
    point = delivery_point_get(code=" msk127 ")
    assert (point.code, point.name, point.city_code) == ("MSK127", "Курская", 44)
    assert point.address_full == "105064, Россия, Москва, ул. Земляной Вал, 33"
    assert point.is_dressing_room is True


@pytest.mark.parametrize("code", ["MSK00000", "", "MSK65; DROP", "../v2/oauth"])
def test_point_get_refuses_unknown_codes(fake_cdek, code):
    with pytest.raises(CdekPointUnknown):
        delivery_point_get(code=code)


def test_point_get_while_cdek_is_down(fake_cdek):
    delivery_point_get(code="SPB12")
    fake_cdek.outage = 503
    assert delivery_point_get(code="SPB12").code == "SPB12"  # known points still check out
    with pytest.raises(DeliveryUnavailable):
        delivery_point_get(code="SPB47")


def test_quote_takes_a_point_already_read(fake_cdek):
    point = delivery_point_get(code="MSK65")
    quote = delivery_quote(weight_grams=500, method=DeliveryMethod.CDEK_PICKUP, point=point)
    assert quote.source == "cdek" and quote.amount == 250
    assert len(fake_cdek.api_requests("GET", "/v2/deliverypoints")) == 1


def test_courier_without_a_city_is_refused_while_cdek_prices(fake_cdek, settings):
    """The price follows the order's city: none, and there is nothing to price (it paid the flat price before)."""
    with pytest.raises(DeliveryRequired) as refused:
        delivery_quote(weight_grams=500, method=DeliveryMethod.COURIER)
    assert refused.value.code == "city_required" and refused.value.status == 400
    assert fake_cdek.requests == []


def test_courier_without_a_city_is_flat_when_cdek_is_off(settings):
    quote = delivery_quote(weight_grams=500, method=DeliveryMethod.COURIER)
    assert (quote.source, str(quote.amount)) == ("flat", settings.DELIVERY_FLAT_AMOUNT)


def test_an_unknown_city_costs_one_cdek_call_and_one_key(fake_cdek):
    for spelling in ("Нарния", "нарния", "  Нарния "):
        with pytest.raises(CityUnknown):
            delivery_quote(weight_grams=500, method=DeliveryMethod.COURIER, city=spelling)
    assert len(fake_cdek.api_requests("GET", "/v2/location/cities")) == 1  # the miss is remembered
    assert cache.get(_key("city", "fresh", "нарния")) == 0
    assert cache.get(_key("city", "stale", "нарния")) is None  # no week-long copy of a miss


@pytest.mark.parametrize(
    ("given", "method"),
    [
        ({"cdek_point": "MSK65"}, "cdek_pickup"),
        ({"address": "Москва, ул. Ленина, 1"}, "courier"),
        ({"method": "courier", "address": "Москва", "cdek_point": "MSK65"}, "courier"),
    ],
)
def test_method_is_inferred(given, method):
    assert delivery_method_infer(**given) == method


@pytest.mark.parametrize(
    "given", [{}, {"method": "cdek_pickup", "address": "Москва"}, {"method": "courier", "cdek_point": "MSK65"}]
)
def test_method_needs_its_destination(given):
    with pytest.raises(DeliveryRequired):
        delivery_method_infer(**given)


@pytest.mark.django_db
def test_items_weight_in_one_query(django_assert_num_queries, settings):
    settings.DELIVERY_DEFAULT_WEIGHT_GRAMS = 500
    light, unset = ProductFactory(weight_grams=200), ProductFactory(weight_grams=None)
    items = [
        {"product": light.pk, "quantity": 3},
        {"product": unset, "quantity": 2},
        {"product": 10**9, "quantity": 1},
    ]
    with django_assert_num_queries(1):
        assert delivery_items_weight(items=items) == 600 + 1000 + 500


def test_tracking_links_to_cdek():
    assert (
        delivery_tracking_url(tracking_number=" 1234567890 ")
        == "https://www.cdek.ru/ru/tracking?order_id=1234567890"
    )
