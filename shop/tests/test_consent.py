"""Checkout asks a customer with no consent on record, once; the footer and the forms link the policy."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Consent, ConsentSource
from accounts.tests.factories import UserFactory
from orders.models import Order
from pages.models import Page

pytestmark = pytest.mark.django_db

URL = reverse("shop:checkout")
DETAILS = {
    "delivery_address": "Москва, ул. Тверская, 1",
    "cdek_point": "",
    "promo_code": "",
    "checkout_token": "t1",
}


@pytest.fixture
def newcomer_client():
    user = UserFactory(consented=False)
    client = Client()
    client.force_login(user)
    return client, user


def test_checkout_of_a_customer_without_consent_asks_and_records_it(newcomer_client, hoodie):
    client, user = newcomer_client
    assert client.post(hoodie.get_absolute_url(), {"size": "M", "quantity": 1}).status_code == 302
    page = client.get(URL).content.decode()
    assert 'name="personal_data_consent"' in page and "публичную оферту" in page

    refused = client.post(URL, DETAILS)
    assert "Чтобы продолжить, дайте согласие" in refused.content.decode()
    assert not Order.objects.filter(user=user).exists()

    client.post(URL, {**DETAILS, "personal_data_consent": "on"}, HTTP_USER_AGENT="Safari")
    assert Order.objects.filter(user=user).count() == 1
    consent = Consent.objects.get(user=user)
    assert (consent.source, consent.user_agent) == (ConsentSource.CHECKOUT, "Safari")


def test_checkout_of_a_customer_with_consent_does_not_ask_again(customer_client, hoodie):
    customer_client.post(hoodie.get_absolute_url(), {"size": "M", "quantity": 1})
    page = customer_client.get(URL).content.decode()
    assert 'name="personal_data_consent"' not in page


def test_footer_links_the_policy_and_the_offer(client):
    Page.objects.create(slug="privacy", title="Политика обработки персональных данных")
    Page.objects.create(slug="offer", title="Публичная оферта")
    html = client.get("/").content.decode()
    assert 'href="/pages/privacy/"' in html and 'href="/pages/offer/"' in html
