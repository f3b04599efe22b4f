from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import ProductStock
from orders.models import Order
from promos.tests.factories import PromoCodeFactory
from shop.cart import PROMO_SESSION_KEY
from shop.models import CartItem

pytestmark = pytest.mark.django_db

URL = reverse("shop:checkout")


def _add(client, product, size="M", quantity=1):
    assert client.post(product.get_absolute_url(), {"size": size, "quantity": quantity}).status_code == 302


def _details(**extra):
    return {"delivery_address": "Москва, ул. Тверская, 1", "cdek_point": "MSK123", "promo_code": "", **extra}


def test_anonymous_customer_is_sent_to_the_sign_in_step_and_back(client, hoodie):
    _add(client, hoodie)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('shop:login')}?next={URL}"


def test_empty_cart_goes_back_to_the_cart(customer_client):
    response = customer_client.get(URL)
    assert response.status_code == 302 and response["Location"] == reverse("shop:cart")


def test_checkout_is_prefilled_from_the_profile_and_the_cart_promo(customer_client, customer, hoodie):
    PromoCodeFactory(code="WELCOME10")
    _add(customer_client, hoodie, "M", 2)
    customer_client.post(reverse("shop:cart"), {"action": "promo", "promo_code": "WELCOME10"})
    html = customer_client.get(URL).content.decode()
    assert customer.address in html and 'value="MSK123"' in html and 'value="WELCOME10"' in html
    for name in ("delivery_address", "cdek_point", "promo_code"):
        assert f'name="{name}"' in html
    assert "Перейти к оплате" in html
    assert "9 980 ₽" in html and "−998 ₽" in html and "8 982 ₽" in html


@pytest.mark.django_db(transaction=True)
def test_place_order_redirects_to_the_payment_page(customer_client, customer, hoodie, fake_yookassa):
    """A real commit: the payment is created once the order commits, and the customer goes to pay it."""
    PromoCodeFactory(code="WELCOME10")
    _add(customer_client, hoodie, "M", 2)
    response = customer_client.post(URL, _details(promo_code="welcome10"))

    order = Order.objects.get(user=customer)
    assert response.status_code == 302
    assert order.payment_url and response["Location"] == order.payment_url
    assert order.final_amount == Decimal("8982.00") and order.discount_amount == Decimal("998.00")
    assert order.delivery_address == "Москва, ул. Тверская, 1" and order.cdek_point == "MSK123"
    assert ProductStock.objects.get(product=hoodie, size="M").quantity == 0
    assert not CartItem.objects.filter(user=customer).exists()
    assert PROMO_SESSION_KEY not in customer_client.session


def test_place_order_without_payment_url_goes_to_the_order_page(customer_client, customer, hoodie):
    _add(customer_client, hoodie, "S", 1)
    response = customer_client.post(URL, _details())
    order = Order.objects.get(user=customer)
    assert response["Location"] == order.get_absolute_url()


def test_a_free_order_is_paid_at_once_and_shown(customer_client, customer, hoodie):
    PromoCodeFactory(code="FREE", discount_percent=100)
    _add(customer_client, hoodie, "S", 1)
    response = customer_client.post(URL, _details(promo_code="FREE"), follow=True)
    order = Order.objects.get(user=customer)
    assert order.status == Order.Status.PAID
    assert "Оплачен" in response.content.decode()


def test_checkout_refuses_an_order_with_no_address_and_no_pickup_point(customer_client, customer, hoodie):
    _add(customer_client, hoodie)
    response = customer_client.post(URL, _details(delivery_address="  ", cdek_point=""))
    assert response.status_code == 200
    assert "Укажите способ доставки" in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_fields_refuse_overlong_input(customer_client, hoodie):
    _add(customer_client, hoodie)
    response = customer_client.post(URL, _details(cdek_point="x" * 300))
    assert "Убедитесь, что это значение содержит не более 255 символов" in response.content.decode()
    assert not Order.objects.exists()


def test_sold_out_meanwhile_comes_back_on_the_form_and_keeps_the_cart(customer_client, customer, hoodie):
    _add(customer_client, hoodie, "M", 2)
    ProductStock.objects.filter(product=hoodie, size="M").update(quantity=1)
    response = customer_client.post(URL, _details())
    assert response.status_code == 200
    html = response.content.decode()
    assert "form-errors" in html and "Недостаточно товара" in html
    assert not Order.objects.exists()
    assert CartItem.objects.get(user=customer, product=hoodie, size="M").quantity == 2


@pytest.mark.parametrize(
    ("promo", "typed", "reason"),
    [
        (None, "NOPE", "Такого промокода нет."),
        ({"code": "USED", "max_uses": 1, "current_uses": 1}, "USED", "Промокод уже использован"),
    ],
)
def test_promo_refusal_comes_back_next_to_the_field(customer_client, customer, hoodie, promo, typed, reason):
    if promo:
        PromoCodeFactory(**promo)
    _add(customer_client, hoodie, "M", 1)
    response = customer_client.post(URL, _details(promo_code=typed))
    assert response.status_code == 200
    html = response.content.decode()
    assert reason in html
    assert f'value="{typed}"' in html and 'value="MSK123"' in html
    assert not Order.objects.exists()
    assert CartItem.objects.filter(user=customer).count() == 1


def test_preorder_checkout_puts_units_in_the_open_wave(customer_client, customer, drop):
    _add(customer_client, drop, "L", 4)
    customer_client.post(URL, _details())
    order = Order.objects.get(user=customer)
    waves = sorted((item.preorder_wave.wave_number, item.quantity) for item in order.items.all())
    assert waves == [(2, 3), (3, 1)]


def test_first_delivery_details_are_remembered_in_an_empty_profile(client, hoodie):
    from accounts.tests.factories import UserFactory

    user = UserFactory(address="", cdek_point="")
    client.force_login(user)
    _add(client, hoodie)
    client.post(URL, _details(delivery_address="Казань, ул. Баумана, 5", cdek_point=""))
    user.refresh_from_db()
    assert (user.address, user.cdek_point) == ("Казань, ул. Баумана, 5", "")


def test_profile_details_are_not_overwritten_by_a_one_off_address(customer_client, customer, hoodie):
    _add(customer_client, hoodie)
    customer_client.post(URL, _details(delivery_address="Дача, СНТ «Берёзка»"))
    customer.refresh_from_db()
    assert customer.address == "Москва, ул. Тверская, 1"


def test_apply_shows_the_discount_without_placing_the_order(customer_client, hoodie):
    PromoCodeFactory(code="MINUS500", discount_percent=None, discount_amount=Decimal("500"))
    _add(customer_client, hoodie, "M", 1)
    response = customer_client.post(URL, _details(promo_code="minus500", action="preview"))
    html = response.content.decode()
    assert response.status_code == 200 and not Order.objects.exists()
    assert "−500 ₽" in html and "4 490 ₽" in html
    assert customer_client.session[PROMO_SESSION_KEY] == "MINUS500"
    refused = customer_client.post(URL, _details(promo_code="NOPE", action="preview")).content.decode()
    assert "Такого промокода нет." in refused and not Order.objects.exists()
