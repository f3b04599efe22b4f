from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from orders.models import Order
from orders.services import order_place
from orders.tests.factories import OrderFactory, OrderItemFactory
from preorders.tests.factories import PreorderStatusFactory

ADDRESS = "Москва, ул. Тверская, д. 1, кв. 1"

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_order_page_shows_status_payment_items_and_amounts(customer_client, customer, hoodie):
    order = OrderFactory(user=customer, total_amount=Decimal("9980"), discount_amount=Decimal("998"))
    OrderItemFactory(order=order, product=hoodie, size="M", quantity=2, price=Decimal("4990"))
    html = customer_client.get(order.get_absolute_url()).content.decode()
    assert order.order_number in html
    assert "Ожидает оплаты" in html
    assert hoodie.name in html and "Размер M · 2 шт." in html
    assert "9 980 ₽" in html and "−998 ₽" in html and "8 982 ₽" in html
    assert "Оплатить" in html


def test_paid_order_with_tracking_number(customer_client, customer):
    order = OrderFactory(
        user=customer,
        status=Order.Status.SHIPPED,
        payment_status=Order.PaymentStatus.SUCCEEDED,
        tracking_number="CDEK-42",
    )
    html = customer_client.get(order.get_absolute_url()).content.decode()
    assert "Отправлен" in html and "CDEK-42" in html and "получена" in html
    assert ">Оплатить<" not in html


def test_preorder_order_shows_the_wave_and_its_timeline(customer_client, customer, drop):
    order = OrderFactory(user=customer)
    wave = drop.waves.get(wave_number=2)
    OrderItemFactory(order=order, product=drop, size="L", is_preorder=True, preorder_wave=wave)
    PreorderStatusFactory(order=order, wave=wave, status="collecting", status_message="Заказ принят в волну 2.")
    PreorderStatusFactory(order=order, wave=wave, status="production", status_message="Волна 2 ушла в пошив.")
    html = customer_client.get(order.get_absolute_url()).content.decode()
    assert "волна 2" in html
    assert "Волна 2: Сбор заказов" in html and "Волна 2: В производстве" in html
    assert "Волна 2 ушла в пошив." in html


def test_only_the_owner_or_staff_see_an_order(customer):
    order = OrderFactory(user=customer)
    url = order.get_absolute_url()
    assert Client().get(url).status_code == 302
    assert _client(UserFactory()).get(url).status_code == 404
    staff_view = _client(UserFactory(is_staff=True)).get(url)
    assert staff_view.status_code == 200 and ">Оплатить<" not in staff_view.content.decode()
    assert _client(customer).get(reverse("shop:order", kwargs={"number": "DWC-0000-000000"})).status_code == 404


def test_pay_again_sends_to_the_payment_page(customer_client, customer, hoodie, fake_yookassa):
    customer.address = "Москва"
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=customer,
        items=[{"product": hoodie, "size": "S", "quantity": 1}],
    )
    response = customer_client.post(reverse("shop:order_pay", kwargs={"number": order.order_number}))
    order.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == order.payment_url
    assert response["Location"].startswith(fake_yookassa.api_url.rsplit("/v3", 1)[0])


def test_pay_again_when_the_payment_service_is_down_says_so(customer_client, customer, hoodie, fake_yookassa):
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=customer,
        items=[{"product": hoodie, "size": "S", "quantity": 1}],
    )
    fake_yookassa.outage = 503
    response = customer_client.post(reverse("shop:order_pay", kwargs={"number": order.order_number}), follow=True)
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert 'class="message message--error"' in response.content.decode()


def test_pay_for_a_paid_order_is_refused(customer_client, customer):
    order = OrderFactory(user=customer, status=Order.Status.PAID, payment_status=Order.PaymentStatus.SUCCEEDED)
    response = customer_client.post(reverse("shop:order_pay", kwargs={"number": order.order_number}), follow=True)
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert 'class="message message--error"' in response.content.decode()


def test_pay_and_cancel_are_posts_and_only_for_the_owner(customer):
    order = OrderFactory(user=customer)
    stranger = _client(UserFactory())
    assert stranger.post(reverse("shop:order_pay", kwargs={"number": order.order_number})).status_code == 404
    assert stranger.post(reverse("shop:order_cancel", kwargs={"number": order.order_number})).status_code == 404
    assert (
        _client(customer).get(reverse("shop:order_pay", kwargs={"number": order.order_number})).status_code == 405
    )


def test_cancel_an_unpaid_order_gives_the_stock_back(customer_client, customer, hoodie):
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=customer,
        items=[{"product": hoodie, "size": "S", "quantity": 2}],
    )
    assert hoodie.stock.get(size="S").quantity == 3
    response = customer_client.post(
        reverse("shop:order_cancel", kwargs={"number": order.order_number}), follow=True
    )
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert hoodie.stock.get(size="S").quantity == 5
    assert "Заказ отменён." in response.content.decode()


def test_a_stock_order_shows_its_timeline_with_a_tracking_link(customer_client, customer, hoodie):
    from orders.services import order_mark_paid, order_set_tracking

    order = order_place(
        user=customer, items=[{"product": hoodie, "size": "S", "quantity": 1}], delivery_address=ADDRESS
    )
    order_mark_paid(order=order)
    order_set_tracking(order=order, tracking_number="1234567890", by=None)
    html = customer_client.get(order.get_absolute_url()).content.decode()
    assert "История заказа" in html
    placed, paid, shipped = (
        html.index(text) for text in ("Заказ оформлен.", "Заказ оплачен.", "трек-номер 1234567890")
    )
    assert placed < paid < shipped
    assert 'href="https://www.cdek.ru/ru/tracking?order_id=1234567890"' in html


def test_preorder_steps_and_order_events_are_merged_by_time(customer_client, customer, drop):
    order = order_place(
        user=customer, items=[{"product": drop, "size": "M", "quantity": 1}], delivery_address=ADDRESS
    )
    wave = order.items.get().preorder_wave
    PreorderStatusFactory(order=order, wave=wave, status="production", status_message="Шьём.")
    html = customer_client.get(order.get_absolute_url()).content.decode()
    assert (
        html.index("Заказ оформлен.")
        < html.index(f"Волна {wave.wave_number}: В производстве")
        < html.index("Шьём.")
    )


def test_a_cancelled_unpaid_order_does_not_wait_for_its_payment(customer_client, customer):
    order = OrderFactory(user=customer, status=Order.Status.CANCELLED, payment_status=Order.PaymentStatus.PENDING)
    html = customer_client.get(order.get_absolute_url()).content.decode()
    assert "не потребуется: заказ отменён" in html and "ожидается" not in html
