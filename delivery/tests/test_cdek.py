"""The CDEK client against the fake CDEK over real HTTP: OAuth, cities, points, the calculator, failures."""

import threading
import time

import pytest
from django.core.cache import cache

from delivery.cdek import CdekClient, CdekRefused, CdekUnavailable
from delivery.fake_cdek import TARIFF_COURIER, TARIFF_PICKUP

# The CDEK token is cached in the shared cache, a database table when Redis is not set up.
pytestmark = pytest.mark.django_db


@pytest.fixture
def client(fake_cdek):
    return CdekClient.from_settings()


def test_token_is_fetched_once_and_shared_through_the_cache(fake_cdek, client):
    client.cities(name="Москва")
    CdekClient.from_settings().delivery_points(city_code=44)

    token_calls = fake_cdek.api_requests("POST", "/v2/oauth/token")
    assert len(token_calls) == 1
    assert token_calls[0].body == {
        "grant_type": "client_credentials",
        "client_id": fake_cdek.client_id,
        "client_secret": fake_cdek.client_secret,
    }
    points_call = fake_cdek.api_requests("GET", "/v2/deliverypoints")[0]
    assert points_call.headers["Authorization"].startswith("Bearer ")


def test_token_is_cached_only_until_shortly_before_it_expires(fake_cdek, client):
    fake_cdek.token_lifetime = 30  # shorter than the safety margin: never cached
    client.cities(name="Москва")
    client.cities(name="Москва")
    assert len(fake_cdek.api_requests("POST", "/v2/oauth/token")) == 2


def test_a_revoked_token_is_replaced_once(fake_cdek, client):
    client.cities(name="Москва")
    fake_cdek.expire_tokens()

    assert client.cities(name="Москва")[0]["code"] == 44
    assert len(fake_cdek.api_requests("POST", "/v2/oauth/token")) == 2


def test_wrong_credentials_are_unavailability_not_a_customer_error(fake_cdek, settings):
    settings.CDEK_CLIENT_SECRET = "wrong"
    with pytest.raises(CdekUnavailable):
        CdekClient.from_settings().cities(name="Москва")


def test_unconfigured_client_calls_nothing(fake_cdek, settings):
    settings.CDEK_CLIENT_ID = ""
    with pytest.raises(CdekUnavailable):
        CdekClient.from_settings().cities(name="Москва")
    assert fake_cdek.requests == []


def test_points_of_a_city_in_cdek_shapes(client):
    points = client.delivery_points(city_code=137)
    assert {point["code"] for point in points} == {"SPB12", "SPB47", "SPB103", "SPB230"}
    assert all(point["location"]["city"] == "Санкт-Петербург" for point in points)
    assert {point["is_dressing_room"] for point in points} == {True, False}
    assert client.delivery_points(code="MSK65")[0]["location"]["address"] == "ул. Тверская, 12, стр. 1"
    assert client.delivery_points(code="NOPE1") == []


def test_tariff_prices_by_route_and_weight(fake_cdek, client):
    near = client.tariff(tariff_code=TARIFF_PICKUP, from_code=44, to_code=44, weight_grams=400)
    far = client.tariff(tariff_code=TARIFF_PICKUP, from_code=44, to_code=137, weight_grams=400)
    heavy = client.tariff(tariff_code=TARIFF_PICKUP, from_code=44, to_code=137, weight_grams=1800)
    door = client.tariff(tariff_code=TARIFF_COURIER, from_code=44, to_code=137, weight_grams=400)

    assert near["delivery_sum"] < far["delivery_sum"] < heavy["delivery_sum"]
    assert door["delivery_sum"] > far["delivery_sum"]
    assert (far["period_min"], far["period_max"]) == (2, 3)
    body = fake_cdek.api_requests("POST", "/v2/calculator/tariff")[0].body
    assert body["from_location"] == {"code": 44} and body["packages"] == [{"weight": 400}]


def test_unknown_location_is_a_refusal_with_cdek_codes(client):
    with pytest.raises(CdekRefused) as refusal:
        client.tariff(tariff_code=TARIFF_PICKUP, from_code=44, to_code=999999, weight_grams=400)
    assert refusal.value.codes == ["v2_location_not_found"]


def test_server_error_is_unavailability(fake_cdek, client):
    fake_cdek.outage = 500
    with pytest.raises(CdekUnavailable):
        client.cities(name="Москва")


def test_a_hanging_cdek_is_given_up_after_the_timeout(fake_cdek, client):
    client.cities(name="Москва")  # the token is cached; now every answer hangs
    fake_cdek.stall = threading.Event()
    started = time.monotonic()
    with pytest.raises(CdekUnavailable):
        client.cities(name="Москва")
    assert time.monotonic() - started < 2
    assert cache.get(client._token_key)  # the token survives a slow answer
