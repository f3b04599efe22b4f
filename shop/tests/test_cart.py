from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from preorders.tests.factories import PreorderProductFactory
from promos.tests.factories import PromoCodeFactory
from shop.cart import PROMO_SESSION_KEY, SESSION_KEY
from shop.models import CartItem

pytestmark = pytest.mark.django_db

URL = reverse("shop:cart")


def _add(client, product, size="M", quantity=1):
    response = client.post(product.get_absolute_url(), {"size": size, "quantity": quantity})
    assert response.status_code == 302


def test_empty_cart(client):
    html = client.get(URL).content.decode()
    assert "В корзине пока ничего нет." in html
    assert "Оформить заказ" not in html


def test_cart_lists_lines_with_totals_for_an_anonymous_visitor(client, hoodie):
    _add(client, hoodie, "M", 2)
    _add(client, hoodie, "S", 1)
    html = client.get(URL).content.decode()
    assert html.count('class="cart-line"') == 2
    assert "9 980 ₽" in html and "14 970 ₽" in html
    assert "Оформить заказ" in html
    assert '<span class="badge badge--count" aria-label="товаров в корзине">3</span>' in html


def test_change_quantity_and_remove(client, hoodie):
    _add(client, hoodie, "M", 1)
    client.post(URL, {"action": "update", "product": hoodie.pk, "size": "M", "quantity": "3"})
    assert client.session[SESSION_KEY] == {f"{hoodie.pk}:M": 3}
    client.post(URL, {"action": "remove", "product": hoodie.pk, "size": "M"})
    assert client.session[SESSION_KEY] == {}


def test_quantity_zero_or_garbage_changes_nothing_and_says_why(client, hoodie):
    _add(client, hoodie, "M", 2)
    response = client.post(
        URL, {"action": "update", "product": hoodie.pk, "size": "M", "quantity": "0"}, follow=True
    )
    assert "Количество должно быть не меньше 1." in response.content.decode()
    client.post(URL, {"action": "update", "product": hoodie.pk, "size": "M", "quantity": "x"})
    assert client.session[SESSION_KEY] == {f"{hoodie.pk}:M": 2}


def test_changing_a_line_that_is_not_in_the_cart_adds_nothing(client, hoodie):
    client.post(URL, {"action": "update", "product": hoodie.pk, "size": "M", "quantity": "3"})
    assert not client.session.get(SESSION_KEY)


def test_lines_of_products_hidden_meanwhile_disappear(client, hoodie):
    _add(client, hoodie)
    hoodie.is_active = False
    hoodie.save()
    html = client.get(URL).content.decode()
    assert "В корзине пока ничего нет." in html


def test_promo_code_preview_shows_the_discount(client, hoodie):
    PromoCodeFactory(code="WELCOME10", discount_percent=10)
    _add(client, hoodie, "M", 2)
    response = client.post(URL, {"action": "promo", "promo_code": " welcome10 "})
    assert response.status_code == 302
    assert client.session[PROMO_SESSION_KEY] == "WELCOME10"
    html = client.get(URL).content.decode()
    assert "Скидка по промокоду WELCOME10" in html
    assert "−998 ₽" in html and "8 982 ₽" in html


@pytest.mark.parametrize(
    ("promo", "code", "reason"),
    [
        (None, "NOPE", "Такого промокода нет."),
        ({"code": "OLD", "is_active": False}, "OLD", "Промокод больше не действует."),
        ({"code": "USED", "max_uses": 1, "current_uses": 1}, "USED", "Промокод уже использован"),
    ],
)
def test_promo_code_refusals_say_why(client, hoodie, promo, code, reason):
    if promo:
        PromoCodeFactory(**promo)
    _add(client, hoodie)
    response = client.post(URL, {"action": "promo", "promo_code": code})
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert PROMO_SESSION_KEY not in client.session


def test_promo_code_for_other_products_is_not_applicable(client, hoodie):
    other = ProductFactory()
    PromoCodeFactory(code="ONLYOTHER").products.add(other)
    _add(client, hoodie)
    response = client.post(URL, {"action": "promo", "promo_code": "ONLYOTHER"})
    assert "Промокод не действует на товары в корзине." in response.content.decode()


def test_empty_promo_code_is_refused(client, hoodie):
    _add(client, hoodie)
    response = client.post(URL, {"action": "promo", "promo_code": ""})
    assert response.status_code == 200
    assert "Введите промокод." in response.content.decode()


def test_promo_code_can_be_removed(client, hoodie):
    PromoCodeFactory(code="WELCOME10")
    _add(client, hoodie)
    client.post(URL, {"action": "promo", "promo_code": "WELCOME10"})
    client.post(URL, {"action": "promo_remove"})
    assert PROMO_SESSION_KEY not in client.session


def test_signed_in_cart_is_kept_in_the_account(customer_client, customer, hoodie):
    _add(customer_client, hoodie, "S", 2)
    assert list(CartItem.objects.filter(user=customer).values_list("size", "quantity")) == [("S", 2)]
    html = customer_client.get(URL).content.decode()
    assert "9 980 ₽" in html


def test_session_cart_joins_the_account_cart_on_login(client, hoodie, password):
    user = UserFactory()
    CartItem.objects.create(user=user, product=hoodie, size="S", quantity=1)
    other = ProductFactory(price=Decimal("100"), stock={"M": 3})
    _add(client, hoodie, "S", 2)
    _add(client, other, "M", 1)

    response = client.post(reverse("shop:login"), {"phone": user.phone, "password": password})

    assert response.status_code == 302
    lines = dict(
        ((product_id, size), quantity)
        for product_id, size, quantity in CartItem.objects.filter(user=user).values_list(
            "product_id", "size", "quantity"
        )
    )
    assert lines == {(hoodie.pk, "S"): 3, (other.pk, "M"): 1}
    assert SESSION_KEY not in client.session
    html = client.get(URL).content.decode()
    assert html.count('class="cart-line"') == 2


def test_cart_survives_logout_in_the_account(customer_client, customer, hoodie):
    _add(customer_client, hoodie, "S", 1)
    customer_client.post(reverse("shop:logout"))
    assert "В корзине пока ничего нет." in customer_client.get(URL).content.decode()
    customer_client.force_login(customer)
    assert 'class="cart-line"' in customer_client.get(URL).content.decode()


def test_cart_line_quantity_is_capped(client):
    plenty = ProductFactory(stock={"S": 500})
    _add(client, plenty, "S", 100)
    _add(client, plenty, "S", 5)
    assert client.session[SESSION_KEY] == {f"{plenty.pk}:S": 100}


def test_cart_brings_a_quantity_down_to_the_stock_and_says_so(client, hoodie):
    """50 of a size with 2 left: the cart keeps 2, shows their price, and says what it changed."""
    _add(client, hoodie, "M", 1)
    client.post(URL, {"action": "update", "product": hoodie.pk, "size": "M", "quantity": "50"})
    html = client.get(URL).content.decode()
    assert client.session[SESSION_KEY] == {f"{hoodie.pk}:M": 2}
    assert "Худи «Базовое», M: осталось 2 шт., количество уменьшено с 50 до 2." in html
    assert "9 980 ₽" in html and "249 500 ₽" not in html
    assert "Осталось 2 шт." in html
    # Told once: the next look at the cart has nothing to correct.
    assert "количество уменьшено" not in client.get(URL).content.decode()


def test_cart_drops_a_line_sold_out_meanwhile_and_says_so(customer_client, customer, hoodie):
    _add(customer_client, hoodie, "M", 2)
    hoodie.stock.filter(size="M").update(quantity=0)
    html = customer_client.get(URL).content.decode()
    assert "Худи «Базовое», M: закончился, убрали из корзины." in html
    assert not CartItem.objects.filter(user=customer).exists()


def test_cart_lines_of_one_preorder_share_the_room_left_in_its_waves(client):
    drop = PreorderProductFactory(sizes=["S", "M"], preorder_waves_total=1, preorder_wave_capacity=5)
    _add(client, drop, "S", 3)
    _add(client, drop, "M", 4)
    html = client.get(URL).content.decode()
    assert client.session[SESSION_KEY] == {f"{drop.pk}:S": 3, f"{drop.pk}:M": 2}
    assert "M: осталось 2 шт., количество уменьшено с 4 до 2." in html


def test_session_cart_follows_a_new_customer_through_registration(client, hoodie):
    _add(client, hoodie, "S", 2)
    client.post(
        reverse("shop:register"),
        {"personal_data_consent": "on", "phone": "+79165550011", "password": "secret-123", "next": "/cart/"},
    )
    user = UserFactory._meta.model.objects.get(phone="+79165550011")
    assert list(CartItem.objects.filter(user=user).values_list("product_id", "size", "quantity")) == [
        (hoodie.pk, "S", 2)
    ]
    assert "9 980 ₽" in client.get(URL).content.decode()


def test_cart_forms_refuse_ids_beyond_any_database_id(customer_client, hoodie):
    _add(customer_client, hoodie, "S", 1)
    for action in ("remove", "update"):
        response = customer_client.post(URL, {"action": action, "product": "9" * 30, "size": "S", "quantity": "1"})
        assert response.status_code == 302
    assert CartItem.objects.count() == 1
