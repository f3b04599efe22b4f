"""A drop takes verified buyers only: its pages offer the code by SMS on the spot and bring the buyer back."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from drops.models import QueueEntry

pytestmark = pytest.mark.django_db
CONFIRM = reverse("shop:phone_confirm")


@pytest.fixture
def unverified():
    return UserFactory(phone="+79161112233", phone_verified=False)


@pytest.fixture
def browser(unverified):
    client = Client()
    client.force_login(unverified)
    return client


@pytest.fixture
def queued_drop():
    return ProductFactory(
        name="Худи «Релиз»",
        stock={"M": 10},
        sale_starts_at=timezone.now() + timedelta(minutes=5),
        queue_enabled=True,
        queue_rate=2,
    )


def _code_sent(browser, next_url, sms_outbox, capture):
    with capture(execute=True):
        response = browser.post(CONFIRM, {"action": "send", "next": next_url})
    return response, re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)


def test_the_waiting_room_offers_the_code_and_lets_the_buyer_join_after_it(
    browser, unverified, queued_drop, sms_outbox, django_capture_on_commit_callbacks
):
    queue_url = reverse("shop:queue", kwargs={"key": queued_drop.slug})
    product_html = browser.get(queued_drop.get_absolute_url()).content.decode()
    assert "Получить код по SMS" in product_html and "Встать в очередь" not in product_html

    refused = browser.post(queue_url)  # a join posted anyway (an old page) is refused, with the offer
    html = refused.content.decode()
    assert refused.status_code == 200 and "Подтвердите номер телефона кодом из SMS" in html
    assert f'action="{CONFIRM}"' in html and "+7 916 111-22-33" in html
    assert not QueueEntry.objects.exists()

    sent, code = _code_sent(browser, queue_url, sms_outbox, django_capture_on_commit_callbacks)
    assert sms_outbox[-1].phone == unverified.phone
    assert 'autocomplete="one-time-code"' in sent.content.decode()
    confirmed = browser.post(CONFIRM, {"action": "verify", "code": code, "next": queue_url})
    assert (confirmed.status_code, confirmed["Location"]) == (302, queue_url)
    unverified.refresh_from_db()
    assert unverified.phone_verified

    assert browser.post(queue_url).status_code == 302
    assert QueueEntry.objects.filter(product=queued_drop, user=unverified).exists()


def test_a_wrong_code_confirms_nothing(browser, unverified, sms_outbox, django_capture_on_commit_callbacks):
    _, code = _code_sent(browser, "/", sms_outbox, django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = browser.post(CONFIRM, {"action": "verify", "code": wrong, "next": "/"})
    assert response.status_code == 200 and "Осталось попыток: 4." in response.content.decode()
    unverified.refresh_from_db()
    assert not unverified.phone_verified


def test_checkout_of_a_capped_product_offers_the_code(browser, customer_client):
    capped = ProductFactory(stock={"M": 5}, max_per_customer=2)
    plain = ProductFactory(stock={"M": 5})
    for client in (browser, customer_client):
        client.post(capped.get_absolute_url(), {"size": "M", "quantity": 1})
    assert "Получить код по SMS" in browser.get(capped.get_absolute_url()).content.decode()
    html = browser.get(reverse("shop:checkout")).content.decode()
    assert "лимитом в одни руки" in html and f'action="{CONFIRM}"' in html
    # A verified buyer, or a cart with nothing capped, sees no offer.
    assert f'action="{CONFIRM}"' not in customer_client.get(reverse("shop:checkout")).content.decode()
    other = Client()
    other.force_login(UserFactory(phone_verified=False))
    other.post(plain.get_absolute_url(), {"size": "M", "quantity": 1})
    assert f'action="{CONFIRM}"' not in other.get(reverse("shop:checkout")).content.decode()


def test_the_confirm_page_is_for_signed_in_customers_and_leaves_only_for_the_shop(
    client, browser, sms_outbox, django_capture_on_commit_callbacks
):
    assert client.get(CONFIRM).status_code == 302
    verified = Client()
    verified.force_login(UserFactory())
    assert verified.get(CONFIRM, {"next": "/cart/"})["Location"] == "/cart/"
    assert verified.get(CONFIRM, {"next": "https://evil.example/"})["Location"] == reverse("shop:account")
    # The right code, with a `next` elsewhere: the buyer lands in the shop, never on the other site.
    _, code = _code_sent(browser, "https://evil.example/", sms_outbox, django_capture_on_commit_callbacks)
    done = browser.post(CONFIRM, {"action": "verify", "code": code, "next": "https://evil.example/"})
    assert (done.status_code, done["Location"]) == (302, reverse("shop:account"))
