"""`delivery/points/` and `delivery/quote/` against the fake CDEK over real HTTP."""

import threading
import time

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from catalog.tests.factories import ProductFactory
from delivery.selectors import _key

POINTS_URL = "/api/v1/delivery/points/"
QUOTE_URL = "/api/v1/delivery/quote/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(weight_grams=400)


def test_points_of_moscow_with_fitting_rooms_first(fake_cdek, api_client):
    response = api_client.get(POINTS_URL, {"city": "москва"})

    assert response.status_code == 200
    points = response.json()
    assert len(points) == 5
    assert set(points[0]) >= {"code", "name", "address", "work_time", "is_dressing_room", "latitude", "longitude"}
    flags = [point["is_dressing_room"] for point in points]
    assert flags == sorted(flags, reverse=True) and True in flags and False in flags
    tverskaya = next(point for point in points if point["code"] == "MSK65")
    assert tverskaya["address"] == "ул. Тверская, 12, стр. 1"
    assert tverskaya["address_full"].startswith("125009, Россия, Москва")


def test_points_are_cached_in_the_shared_cache(fake_cdek, api_client):
    api_client.get(POINTS_URL, {"city": "Санкт-Петербург"})
    api_client.get(POINTS_URL, {"city": "Санкт-Петербург"})
    assert len(fake_cdek.api_requests("GET", "/v2/deliverypoints")) == 1
    assert len(fake_cdek.api_requests("GET", "/v2/location/cities")) == 1


def test_unknown_city_is_400(fake_cdek, api_client):
    response = api_client.get(POINTS_URL, {"city": "Атлантида"})
    assert response.status_code == 400
    assert response.json()["code"] == "city_unknown"
    assert "Атлантида" in response.json()["detail"]


@pytest.mark.parametrize("query", [{}, {"city": ""}, {"city": "М" * 101}])
def test_points_need_a_city(api_client, query):
    response = api_client.get(POINTS_URL, query)
    assert response.status_code == 400
    assert "city" in response.json()


def test_cdek_down_serves_the_last_list_or_says_so(fake_cdek, api_client):
    api_client.get(POINTS_URL, {"city": "Москва"})
    fake_cdek.outage = 500
    # The fresh copies have expired; the longer-kept copy still fills the picker.
    cache.delete(_key("city", "fresh", "москва"))
    cache.delete(_key("points", "fresh", 44))

    response = api_client.get(POINTS_URL, {"city": "Москва"})
    assert response.status_code == 200
    assert len(response.json()) == 5
    assert len(fake_cdek.api_requests("GET", "/v2/location/cities")) == 2  # CDEK was asked first

    cache.clear()
    response = api_client.get(POINTS_URL, {"city": "Москва"})
    assert response.status_code == 503
    assert response.json()["code"] == "delivery_unavailable"


def test_quote_to_a_pickup_point_from_cdek(fake_cdek, api_client, product):
    body = {"items": [{"product": product.pk, "size": "M", "quantity": 2}], "cdek_point": "SPB47"}
    response = api_client.post(QUOTE_URL, body, format="json")

    assert response.status_code == 200
    assert response.json() == {"delivery_amount": "450.00", "period_min": 2, "period_max": 3, "source": "cdek"}
    call = fake_cdek.api_requests("POST", "/v2/calculator/tariff")[0].body
    assert call["tariff_code"] == 136
    assert call["packages"] == [{"weight": 800}]
    assert call["to_location"] == {"code": 137}


def test_quote_by_courier_to_a_city(fake_cdek, api_client, product):
    body = {"items": [{"product": product.pk, "quantity": 1}], "delivery_method": "courier", "city": "Москва"}
    response = api_client.post(QUOTE_URL, body, format="json")

    assert response.status_code == 200
    assert response.json()["delivery_amount"] == "400.00"
    assert fake_cdek.api_requests("POST", "/v2/calculator/tariff")[0].body["tariff_code"] == 137


def test_weight_defaults_for_products_without_one(fake_cdek, api_client, settings):
    settings.DELIVERY_DEFAULT_WEIGHT_GRAMS = 700
    product = ProductFactory(weight_grams=None)
    body = {"items": [{"product": product.pk, "quantity": 3}], "cdek_point": "MSK65"}
    api_client.post(QUOTE_URL, body, format="json")
    assert fake_cdek.api_requests("POST", "/v2/calculator/tariff")[0].body["packages"] == [{"weight": 2100}]


def test_unknown_point_is_400(fake_cdek, api_client, product):
    body = {"items": [{"product": product.pk, "quantity": 1}], "cdek_point": "MSK00000"}
    response = api_client.post(QUOTE_URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "cdek_point_unknown"


def test_unknown_city_for_a_courier_is_400(fake_cdek, api_client, product):
    body = {"items": [{"product": product.pk, "quantity": 1}], "delivery_method": "courier", "city": "Нарния"}
    response = api_client.post(QUOTE_URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "city_unknown"


def test_nothing_to_deliver_to_is_400(api_client, product):
    response = api_client.post(QUOTE_URL, {"items": [{"product": product.pk, "quantity": 1}]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "delivery_required"

    body = {"items": [{"product": product.pk, "quantity": 1}], "delivery_method": "cdek_pickup"}
    response = api_client.post(QUOTE_URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "delivery_required"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": []},
        {"items": [{"product": 1, "quantity": 0}], "cdek_point": "MSK65"},
        {"items": [{"product": "x", "quantity": 1}], "cdek_point": "MSK65"},
        {"items": [{"product": 1, "quantity": 1}], "delivery_method": "pigeon", "city": "Москва"},
        {"items": [{"product": 1, "quantity": 1}], "cdek_point": "X" * 65},
    ],
)
def test_malformed_quote_is_400(api_client, body):
    assert api_client.post(QUOTE_URL, body, format="json").status_code == 400


def test_cdek_answering_500_gives_the_flat_price(fake_cdek, api_client, product, settings):
    settings.DELIVERY_FLAT_AMOUNT = "390.00"
    fake_cdek.outage = 500
    body = {"items": [{"product": product.pk, "quantity": 1}], "cdek_point": "MSK65"}
    response = api_client.post(QUOTE_URL, body, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "delivery_amount": "390.00",
        "period_min": None,
        "period_max": None,
        "source": "flat",
    }


def test_a_hanging_cdek_gives_the_flat_price_quickly(fake_cdek, api_client, product):
    fake_cdek.stall = threading.Event()
    body = {"items": [{"product": product.pk, "quantity": 1}], "delivery_method": "courier", "city": "Москва"}
    started = time.monotonic()
    response = api_client.post(QUOTE_URL, body, format="json")
    assert response.status_code == 200
    assert response.json()["source"] == "flat"
    assert time.monotonic() - started < 2  # CDEK_TIMEOUT is 0.5 s in tests: one call, not a pile of them


def test_unconfigured_cdek_gives_the_flat_price(api_client, product, settings):
    settings.CDEK_CLIENT_ID = ""
    settings.DELIVERY_FLAT_AMOUNT = "300.00"
    body = {"items": [{"product": product.pk, "quantity": 1}], "cdek_point": "MSK65"}
    response = api_client.post(QUOTE_URL, body, format="json")
    assert response.status_code == 200
    assert response.json()["delivery_amount"] == "300.00"
    assert response.json()["source"] == "flat"


def test_no_points_when_cdek_is_not_configured(api_client, settings):
    settings.CDEK_CLIENT_ID = ""
    response = api_client.get(POINTS_URL, {"city": "Москва"})
    assert response.status_code == 200
    assert response.json() == []


def test_points_and_quotes_are_limited_per_address(fake_cdek, api_client, product, settings):
    """Each new city name may cost a CDEK call: one address may not ask for hundreds."""
    settings.THROTTLE_ENABLED = True
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "delivery_ip": "5/min"},
    }
    codes = []
    for n in range(4):
        codes.append(api_client.get(POINTS_URL, {"city": f"Город-{n}"}).status_code)
        body = {"items": [{"product": product.pk, "quantity": 1}], "delivery_method": "courier", "city": f"Г{n}"}
        codes.append(api_client.post(QUOTE_URL, body, format="json").status_code)
    assert codes[:5] == [400] * 5 and set(codes[5:]) == {429}
    assert len(fake_cdek.api_requests("GET", "/v2/location/cities")) == 5


def test_verified_buyers_behind_one_address_each_have_their_own_limit(fake_cdek, product, settings):
    """A carrier puts thousands of buyers behind one address at a drop: a verified buyer is never refused for
    what the others asked."""
    from accounts.tests.factories import UserFactory
    from conftest import client_for

    settings.THROTTLE_ENABLED = True
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "delivery_ip": "2/min"},
    }
    buyers = [client_for(UserFactory(phone_verified=True)) for _ in range(3)]
    anonymous = [APIClient() for _ in range(3)]
    assert [c.get(POINTS_URL, {"city": "Москва"}).status_code for c in buyers for _ in range(2)] == [200] * 6
    assert [c.get(POINTS_URL, {"city": "Москва"}).status_code for c in anonymous] == [200, 200, 429]
    unverified = client_for(UserFactory(phone_verified=False))
    assert unverified.get(POINTS_URL, {"city": "Москва"}).status_code == 429  # counted with its address
    bad_token = APIClient(HTTP_AUTHORIZATION="Bearer nonsense")
    assert bad_token.get(POINTS_URL, {"city": "Москва"}).status_code == 429  # not refused as 401: nobody
