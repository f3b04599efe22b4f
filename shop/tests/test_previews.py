"""The cart and the checkout say what checkout will do: a returning customer's first-order code is refused in the
summary (no discount beside the refusal), a capped drop stays within what the customer may still buy, and a line
checkout refuses can be removed where the refusal is shown."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.tests.factories import ProductFactory
from orders.models import Order
from orders.services import order_place
from promos.tests.factories import PromoCodeFactory
from shop.models import CartItem

pytestmark = pytest.mark.django_db

CART = reverse("shop:cart")
CHECKOUT = reverse("shop:checkout")
ADDRESS = "Москва, ул. Тверская, 1"


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


@pytest.fixture
def tee():
    return ProductFactory(name="Футболка", price=Decimal("6490.00"), stock={"M": 10})


@pytest.fixture
def drop():
    return ProductFactory(name="Худи «Релиз»", price=Decimal("9990.00"), stock={"M": 10}, max_per_customer=2)


def _add(client, product, quantity):
    assert client.post(product.get_absolute_url(), {"size": "M", "quantity": quantity}).status_code == 302


def test_a_returning_customer_sees_welcome10_refused_with_no_discount_beside_it(customer_client, customer, tee):
    PromoCodeFactory(code="WELCOME10", discount_percent=10, first_order_only=True)
    order_place(user=customer, items=[{"product": tee.pk, "size": "M", "quantity": 1}], delivery_address=ADDRESS)
    _add(customer_client, tee, 1)
    cart = customer_client.post(CART, {"action": "promo", "promo_code": "WELCOME10"}).content.decode()
    assert "Промокод действует только на первый заказ." in cart
    response = customer_client.post(
        CHECKOUT,
        {"delivery_address": ADDRESS, "cdek_point": "", "promo_code": "WELCOME10", "action": "preview"},
    )
    html = response.content.decode()
    assert "Промокод действует только на первый заказ." in html
    assert "−649 ₽" not in html and "Скидка" not in html.split('aria-label="Ваш заказ"')[1]
    assert response.context["summary"]["final_amount"] == Decimal("6490.00")


def test_the_cart_caps_a_drop_at_what_the_customer_may_still_buy_and_says_so(customer_client, customer, drop):
    order_place(user=customer, items=[{"product": drop.pk, "size": "M", "quantity": 1}], delivery_address=ADDRESS)
    _add(customer_client, drop, 3)
    html = customer_client.get(CART).content.decode()
    assert "Худи «Релиз», M: не больше 2 шт. в одни руки, количество уменьшено с 3 до 1." in html
    assert CartItem.objects.get(user=customer, product=drop).quantity == 1


def test_the_cart_removes_a_drop_the_customer_may_not_buy_more_of(customer_client, customer, drop):
    order_place(user=customer, items=[{"product": drop.pk, "size": "M", "quantity": 2}], delivery_address=ADDRESS)
    _add(customer_client, drop, 1)
    html = customer_client.get(CART).content.decode()
    assert "не больше 2 шт. в одни руки, больше заказать нельзя — убрали из корзины." in html
    assert not CartItem.objects.filter(user=customer, product=drop).exists()


def test_a_line_refused_at_checkout_is_removed_where_the_refusal_is_shown(customer_client, customer, drop, tee):
    _add(customer_client, drop, 2)
    _add(customer_client, tee, 1)
    # Meanwhile (another tab) the customer ordered the drop: checkout refuses the leftover units.
    order_place(user=customer, items=[{"product": drop.pk, "size": "M", "quantity": 2}], delivery_address=ADDRESS)
    response = customer_client.post(
        CHECKOUT, {"delivery_address": ADDRESS, "cdek_point": "", "promo_code": "", "checkout_token": "t1"}
    )
    html = response.content.decode()
    assert 'data-testid="line-refusal"' in html and "больше заказать нельзя" in html
    assert "Убрать из заказа" in html
    removed = customer_client.post(CART, {"action": "remove", "product": drop.pk, "size": "M", "next": "checkout"})
    assert removed.status_code == 302 and removed["Location"] == CHECKOUT
    placed = customer_client.post(
        CHECKOUT, {"delivery_address": ADDRESS, "cdek_point": "", "promo_code": "", "checkout_token": "t2"}
    )
    assert placed.status_code == 302
    assert Order.objects.filter(user=customer, items__product=tee).exists()
