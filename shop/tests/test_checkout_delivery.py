"""Checkout's delivery step against the fake CDEK, «Повторить заказ», and the Russian forms module."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.models import ProductStock
from config.russian import count_ru, date_ru, phone_ru, plural
from orders.models import Order
from orders.services import order_payment_canceled, order_place
from shop.tests.test_checkout import _add

pytestmark = pytest.mark.django_db

URL = reverse("shop:checkout")


def test_checkout_lists_the_citys_points_fitting_rooms_marked(fake_cdek, customer_client, hoodie):
    _add(customer_client, hoodie)
    page = customer_client.post(
        URL, {"action": "preview", "delivery_method": "cdek_pickup", "city": "Москва", "promo_code": ""}
    ).content.decode()
    assert 'value="MSK127"' in page and "Курская" in page and "примерочная" in page
    assert page.index("Курская") < page.index("Профсоюзная")  # fitting rooms first


def test_checkout_shows_the_delivery_price_before_payment(fake_cdek, customer_client, hoodie):
    _add(customer_client, hoodie)
    page = customer_client.post(
        URL, {"action": "preview", "city": "Москва", "delivery_method": "cdek_pickup", "cdek_point": "MSK127"}
    ).content.decode()
    assert "Доставка в пункт «Курская»" in page and "250 ₽" in page


def test_checkout_places_a_pickup_order_with_the_point_snapshot(fake_cdek, customer_client, customer, hoodie):
    _add(customer_client, hoodie)
    response = customer_client.post(
        URL, {"delivery_method": "cdek_pickup", "cdek_point": "MSK127", "city": "Москва"}
    )
    assert response.status_code == 302
    order = Order.objects.get(user=customer)
    assert (order.delivery_method, order.cdek_point_name, order.delivery_amount) == (
        "cdek_pickup",
        "Курская",
        Decimal("250.00"),
    )


def test_checkout_refuses_an_unknown_point_next_to_the_field(fake_cdek, customer_client, hoodie):
    _add(customer_client, hoodie)
    page = customer_client.post(URL, {"delivery_method": "cdek_pickup", "cdek_point": "NOPE1"}).content.decode()
    assert "Пункт выдачи СДЭК с таким кодом не найден" in page
    assert not Order.objects.exists()


def test_repeat_puts_what_is_still_available_back_in_the_cart(customer_client, customer, hoodie):
    order = order_place(
        user=customer, items=[{"product": hoodie.pk, "size": "M", "quantity": 2}], delivery_address="Москва"
    )
    order_payment_canceled(order=order)
    ProductStock.objects.filter(product=hoodie, size="M").update(quantity=1)
    page = customer_client.get(order.get_absolute_url()).content.decode()
    assert "Повторить заказ" in page
    response = customer_client.post(reverse("shop:order_repeat", args=[order.order_number]), follow=True)
    text = response.content.decode()
    assert "В корзину добавлено: 1 товар." in text
    assert "осталось 1 шт." in text
    assert customer_client.get(reverse("shop:cart")).context["cart"].lines()[0].quantity == 1


def test_repeat_of_someone_elses_order_is_404(client, customer, hoodie):
    order = order_place(
        user=customer, items=[{"product": hoodie.pk, "size": "M", "quantity": 1}], delivery_address="Москва"
    )
    client.force_login(UserFactory())
    assert client.post(reverse("shop:order_repeat", args=[order.order_number])).status_code == 404


@pytest.mark.parametrize(
    ("count", "form"),
    [
        (1, "товар"),
        (3, "товара"),
        (5, "товаров"),
        (11, "товаров"),
        (21, "товар"),
        (22, "товара"),
        (112, "товаров"),
    ],
)
def test_plurals_agree(count, form):
    assert plural(count, "товар", "товара", "товаров") == form
    assert count_ru(count, "товар", "товара", "товаров") == f"{count} {form}"


def test_dates_and_phones_read_the_russian_way():
    assert date_ru(date(2026, 11, 27)) == "27 ноября 2026"
    assert phone_ru("+79161234567") == "+7 916 123-45-67"
    assert phone_ru("not a phone") == "not a phone"
