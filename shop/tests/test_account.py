import pytest
from django.test import Client
from django.urls import reverse

from config.russian import phone_ru
from orders.tests.factories import OrderFactory, OrderItemFactory
from preorders.tests.factories import PreorderStatusFactory

pytestmark = pytest.mark.django_db

URL = reverse("shop:account")


def test_account_needs_a_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"] == f"{reverse('shop:login')}?next={URL}"


def test_account_shows_the_profile_and_orders_with_timelines(customer_client, customer, drop):
    order = OrderFactory(user=customer)
    wave = drop.waves.get(wave_number=2)
    OrderItemFactory(order=order, product=drop, is_preorder=True, preorder_wave=wave)
    PreorderStatusFactory(order=order, wave=wave, status="production", status_message="Шьём.")
    someone_elses = OrderFactory()
    html = customer_client.get(URL).content.decode()
    assert phone_ru(customer.phone) in html and customer.address in html
    assert order.order_number in html and someone_elses.order_number not in html
    assert "Волна 2: В производстве" in html
    for name in ("full_name", "email", "address", "cdek_point", "telegram", "vk"):
        assert f'name="{name}"' in html


def test_profile_form_saves(customer_client, customer):
    response = customer_client.post(
        URL,
        {
            "full_name": "Иван Петров",
            "email": "ivan@example.com",
            "address": "СПб",
            "cdek_point": "SPB7",
            "telegram": "@ivan",
            "vk": "",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.full_name, customer.email, customer.address, customer.cdek_point) == (
        "Иван Петров",
        "ivan@example.com",
        "СПб",
        "SPB7",
    )


def test_profile_form_refuses_a_bad_email(customer_client, customer):
    response = customer_client.post(URL, {"full_name": "X", "email": "not-an-email"})
    assert response.status_code == 200
    assert "field__error" in response.content.decode()
    customer.refresh_from_db()
    assert customer.full_name != "X"


def test_account_query_count_does_not_grow_with_orders(
    customer_client, customer, drop, django_assert_max_num_queries
):
    def make_order():
        order = OrderFactory(user=customer)
        wave = drop.waves.get(wave_number=2)
        OrderItemFactory(order=order, product=drop, is_preorder=True, preorder_wave=wave)
        PreorderStatusFactory(order=order, wave=wave)

    make_order()
    with django_assert_max_num_queries(20) as few:
        customer_client.get(URL)
    for _ in range(5):
        make_order()
    with django_assert_max_num_queries(len(few.captured_queries)):
        customer_client.get(URL)
