"""A draw on the storefront: the product page's panel with the seed's hash, the entry page that sends the buyer
to hold the money and shows the result, and the page that explains how to check the winners."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from catalog.tests.factories import ProductFactory
from drops.models import DrawEntry
from orders.services import draw_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def draw_product():
    now = timezone.now()
    return ProductFactory(
        name="Кеды «Жребий»",
        price=Decimal("9990.00"),
        stock={"M": 1},
        sale_mode=Product.SaleMode.DRAW,
        draw_opens_at=now - timedelta(hours=1),
        draw_closes_at=now + timedelta(hours=1),
    )


def test_the_product_page_offers_the_draw_and_shows_the_seed_hash(client, draw_product):
    html = client.get(draw_product.get_absolute_url()).content.decode()
    assert "Участвовать в розыгрыше" in html and "В корзину" not in html
    assert draw_product.draw.seed_hash in html and draw_product.draw.seed not in html


def test_enter_hold_and_see_the_result(customer_client, customer, draw_product, fake_yookassa):
    url = reverse("shop:draw", kwargs={"key": draw_product.slug})
    page = customer_client.get(url).content.decode()
    assert "СБП" in page and "SberPay" in page and "T-Pay" in page
    response = customer_client.post(
        url,
        {"action": "enter", "size": "M", "delivery_method": "courier", "delivery_address": "Москва, Тверская, 1"},
    )
    entry = DrawEntry.objects.get(user=customer)
    assert response.status_code == 302 and response["Location"] == entry.payment_url
    fake_yookassa.set_status(entry.payment_id, "waiting_for_capture")
    assert "Вы участвуете" in customer_client.get(url).content.decode()  # the return from YooKassa's page
    Product.objects.filter(pk=draw_product.pk).update(draw_closes_at=timezone.now() - timedelta(seconds=1))
    assert draw_run(product_id=draw_product.pk).finished
    html = customer_client.get(url).content.decode()
    entry.refresh_from_db()
    assert "Вы выиграли" in html and entry.order_number in html
    fairness = customer_client.get(
        reverse("shop:draw_fairness", kwargs={"key": draw_product.slug})
    ).content.decode()
    assert entry.draw.seed in fairness and "HMAC-SHA256" in fairness


def test_an_unverified_buyer_is_offered_the_code(customer_client, customer, draw_product):
    customer.phone_verified = False
    customer.save()
    page = customer_client.get(reverse("shop:draw", kwargs={"key": draw_product.slug})).content.decode()
    assert "Получить код по SMS" in page


def test_a_product_not_in_a_draw_has_no_draw_page(client):
    assert client.get(reverse("shop:draw_fairness", kwargs={"key": ProductFactory().slug})).status_code == 404
