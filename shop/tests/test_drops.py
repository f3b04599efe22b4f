"""The drop on the storefront: the countdown, the waiting room, the back-in-stock form, the payment countdown."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from drops.models import QueueEntry
from orders.services import order_place
from preorders.models import PreorderWave, WaitlistEntry
from preorders.tests.factories import PreorderProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


def drop_starting_in(minutes, **extra):
    return ProductFactory(
        name="Худи «Релиз»",
        stock={"M": 10},
        sale_starts_at=timezone.now() + timedelta(minutes=minutes),
        queue_enabled=True,
        queue_rate=2,
        max_per_customer=2,
        **extra,
    )


def test_before_the_start_the_page_counts_down_and_offers_the_queue(customer_client):
    drop = drop_starting_in(5)
    html = customer_client.get(drop.get_absolute_url()).content.decode()
    assert "До старта" in html and "data-countdown=" in html and "Встать в очередь" in html
    assert "Не больше 2 шт. в одни руки." in html
    assert (
        'class="button button--primary button--wide buy-button" disabled' in html
    )  # «В корзину» waits for the start


def test_before_the_queue_opens_the_page_says_when(client, settings):
    settings.QUEUE_OPENS_BEFORE = 15
    html = client.get(drop_starting_in(60).get_absolute_url()).content.decode()
    assert "Очередь откроется в" in html and "Встать в очередь" not in html


def test_joining_the_waiting_room_and_watching_the_place(customer_client, customer):
    drop = drop_starting_in(5)
    url = reverse("shop:queue", kwargs={"key": drop.slug})
    response = customer_client.post(url)
    assert response.status_code == 302 and QueueEntry.objects.filter(user=customer).exists()
    html = customer_client.get(url).content.decode()
    assert "Ваше место" in html and "разыграем на старте" in html and "<progress" in html
    assert "data-queue-poll" in html and "data-queue-token" in html
    polled = customer_client.get(url, HTTP_ACCEPT="application/json").json()
    assert polled["status"] == "waiting" and polled["token"]


def test_once_admitted_the_room_sends_the_customer_to_the_product(customer_client, customer):
    drop = drop_starting_in(-1)
    url = reverse("shop:queue", kwargs={"key": drop.slug})
    customer_client.post(url)
    # An empty queue admits the newcomer at the next slot's moment, seconds away: let it come.
    QueueEntry.objects.filter(product=drop, user=customer).update(admit_at=timezone.now())
    response = customer_client.get(url)
    assert response.status_code == 302 and response["Location"] == drop.get_absolute_url()
    html = customer_client.get(drop.get_absolute_url()).content.decode()
    assert "Ваша очередь подошла" in html
    assert 'class="button button--primary button--wide buy-button" disabled' not in html


def test_the_waiting_room_needs_an_account(client):
    drop = drop_starting_in(5)
    response = client.get(reverse("shop:queue", kwargs={"key": drop.slug}))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_product_without_a_queue_has_no_waiting_room(customer_client):
    product = ProductFactory(stock={"M": 1})
    response = customer_client.get(reverse("shop:queue", kwargs={"key": product.slug}))
    assert response.status_code == 302 and response["Location"] == product.get_absolute_url()


def test_a_sold_out_size_offers_a_back_in_stock_form(client, hoodie):
    html = client.get(hoodie.get_absolute_url()).content.decode()
    assert "Сообщим, когда появится" in html and '<option value="L">L</option>' in html
    assert '<option value="M">' not in html
    url = reverse("shop:waitlist", kwargs={"key": hoodie.slug})
    response = client.post(url, {"phone": "+79161230000", "size": "L"}, follow=True)
    assert "размер L снова появится" in response.content.decode()
    assert WaitlistEntry.objects.get().size == "L"
    refused = client.post(url, {"phone": "+79161230000", "size": "M"})
    assert "есть в наличии" in refused.content.decode()


def test_wave_ship_dates_show_on_the_product_and_the_order(customer_client, customer):
    product = PreorderProductFactory()
    PreorderWave.objects.filter(product=product, wave_number=1).update(ships_on="2026-12-27")
    html = customer_client.get(product.get_absolute_url()).content.decode()
    assert "Волна 1: отправка ожидается 27 декабря 2026" in html
    order = order_place(
        delivery_address="Москва", user=customer, items=[{"product": product.pk, "size": "M", "quantity": 1}]
    )
    html = customer_client.get(order.get_absolute_url()).content.decode()
    assert "отправка ожидается 27 декабря 2026" in html


def test_the_order_page_counts_down_to_its_payment_deadline(customer_client, customer):
    product = ProductFactory(stock={"M": 1}, payment_timeout=10)
    order = order_place(
        delivery_address="Москва", user=customer, items=[{"product": product.pk, "size": "M", "quantity": 1}]
    )
    html = customer_client.get(order.get_absolute_url()).content.decode()
    assert "Заказ ждёт оплаты до" in html and "data-countdown=" in html
