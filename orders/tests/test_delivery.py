"""Delivery in orders: method, point snapshot and price from the fake CDEK over real HTTP, the flat fallback."""

import threading
from decimal import Decimal

import pytest

from catalog.tests.factories import ProductFactory
from orders.models import Order
from orders.payments import receipt_items
from orders.services import order_place
from promos.tests.factories import PromoCodeFactory

ORDERS = "/api/v1/orders/"


@pytest.fixture
def tee(db):
    return ProductFactory(price=Decimal("3490.00"), stock={"M": 5}, weight_grams=500)


def _items(product, quantity=1):
    return [{"product": product.pk, "size": "M", "quantity": quantity}]


def test_pickup_order_snapshots_the_point_and_prices_delivery_from_cdek(fake_cdek, user, tee):
    order = order_place(user=user, items=_items(tee), cdek_point="msk127")
    assert order.delivery_method == "cdek_pickup"
    assert (order.cdek_point, order.cdek_point_name) == ("MSK127", "Курская")
    assert order.cdek_point_address == "105064, Россия, Москва, ул. Земляной Вал, 33"
    assert order.delivery_amount == Decimal("250.00")  # the fake's Moscow price for 500 g
    assert order.final_amount == Decimal("3740.00")
    assert fake_cdek.api_requests("POST", "/v2/calculator/tariff")


def test_a_promo_code_never_discounts_delivery(fake_cdek, user, tee):
    PromoCodeFactory(code="HALF", discount_percent=50)
    order = order_place(user=user, items=_items(tee, 2), cdek_point="MSK127", promo_code="HALF")
    assert order.discount_amount == Decimal("3490.00")
    assert order.final_amount == order.total_amount - order.discount_amount + order.delivery_amount
    assert order.delivery_amount > 0


def test_unknown_point_is_refused_and_nothing_is_taken(fake_cdek, user_client, tee):
    response = user_client.post(ORDERS, {"items": _items(tee), "cdek_point": "MSK00000"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "cdek_point_unknown"
    assert not Order.objects.exists()


def test_neither_point_nor_address_is_delivery_required(user_client, tee):
    response = user_client.post(ORDERS, {"items": _items(tee)}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "delivery_required"
    response = user_client.post(ORDERS, {"items": _items(tee), "delivery_method": "courier"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "delivery_required"
    assert not Order.objects.exists()


def test_courier_to_a_city_cdek_does_not_know_is_refused(fake_cdek, user_client, tee):
    body = {"items": _items(tee), "delivery_address": "ул. Ленина, 1", "city": "Нарния"}
    response = user_client.post(ORDERS, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "city_unknown"


def test_courier_priced_by_city_and_answered_with_delivery_fields(fake_cdek, user_client, tee):
    body = {"items": _items(tee), "delivery_address": "Невский пр-т, 1", "city": "Санкт-Петербург"}
    response = user_client.post(ORDERS, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["delivery_method"] == "courier"
    assert Decimal(data["delivery_amount"]) > 0
    assert Decimal(data["final_amount"]) == Decimal(data["total_amount"]) + Decimal(data["delivery_amount"])


def test_the_courier_price_follows_the_city_field_never_the_address(fake_cdek, user_client, tee):
    """A Vladivostok address with `city=Москва` is an order to Moscow at Moscow's price (its courier goes
    there: the city is the order's own field); an address with no city is refused, not priced flat."""
    moscow = {"items": _items(tee), "delivery_address": "Москва, ул. Тверская, 1", "city": "Москва"}
    spb = {"items": _items(tee), "delivery_address": "Москва, ул. Тверская, 1", "city": "Санкт-Петербург"}
    to_moscow = user_client.post(ORDERS, moscow, format="json").json()
    to_spb = user_client.post(ORDERS, spb, format="json").json()
    assert to_moscow["delivery_city"] == "Москва" and to_spb["delivery_city"] == "Санкт-Петербург"
    assert to_moscow["delivery_amount"] != to_spb["delivery_amount"]  # the same address, priced by the city
    tariffs = [
        request.body["to_location"]["code"] for request in fake_cdek.api_requests("POST", "/v2/calculator/tariff")
    ]
    assert tariffs == [44, 137]
    no_city = {"items": _items(tee), "delivery_address": "Санкт-Петербург, Невский пр-т, 1"}
    response = user_client.post(ORDERS, no_city, format="json")
    assert response.status_code == 400 and response.json()["code"] == "city_required"
    assert Order.objects.count() == 2


def test_a_client_price_is_never_read(fake_cdek, user_client, tee):
    body = {"items": _items(tee), "delivery_address": "ул. Ленина, 1", "city": "Москва", "delivery_amount": "0.01"}
    response = user_client.post(ORDERS, body, format="json")
    assert response.status_code == 201 and response.json()["delivery_amount"] != "0.01"


def test_cdek_down_takes_the_flat_price_and_the_order_goes_through(fake_cdek, user, tee, settings):
    settings.DELIVERY_FLAT_AMOUNT = "390.00"
    fake_cdek.outage = 500
    order = order_place(user=user, items=_items(tee), cdek_point="MSK65")
    assert order.delivery_amount == Decimal("390.00") and order.cdek_point == "MSK65"
    assert order.cdek_point_name == ""  # unchecked: CDEK did not answer


def test_cdek_hanging_takes_the_flat_price(fake_cdek, user, tee, settings):
    settings.DELIVERY_FLAT_AMOUNT = "390.00"
    settings.CDEK_TIMEOUT = 0.3
    delivery_point = order_place(user=user, items=_items(tee), cdek_point="MSK65")  # point cached now
    fake_cdek.stall = threading.Event()
    try:
        order = order_place(user=user, items=_items(tee), cdek_point="MSK65")
    finally:
        fake_cdek.stall.set()
    assert delivery_point.delivery_amount == Decimal("250.00")
    assert order.delivery_amount == Decimal("390.00")


def test_cdek_not_configured_takes_the_flat_price(user, tee, settings):
    settings.DELIVERY_FLAT_AMOUNT = "390.00"
    order = order_place(user=user, items=_items(tee), delivery_address="Казань, ул. Баумана, 5")
    assert (order.delivery_method, order.delivery_amount) == ("courier", Decimal("390.00"))


def test_the_receipt_has_a_delivery_service_line_and_adds_up(fake_cdek, user, tee):
    PromoCodeFactory(code="TEN", discount_percent=10)
    order = order_place(user=user, items=_items(tee, 3), cdek_point="MSK127", promo_code="TEN")
    items = receipt_items(order=order)
    assert items[-1]["payment_subject"] == "service" and items[-1]["description"] == "Доставка СДЭК"
    assert items[-1]["amount"]["value"] == f"{order.delivery_amount:.2f}"
    total = sum(Decimal(item["amount"]["value"]) * item["quantity"] for item in items)
    assert total == order.final_amount


def test_the_api_gives_a_tracking_link(staff_client, user, tee):
    order = order_place(user=user, items=_items(tee), delivery_address="Москва, ул. Тверская, 1")
    Order.objects.filter(pk=order.pk).update(tracking_number="1234567890")
    body = staff_client.get(f"{ORDERS}{order.order_number}/").json()
    assert body["tracking_url"] == "https://www.cdek.ru/ru/tracking?order_id=1234567890"
