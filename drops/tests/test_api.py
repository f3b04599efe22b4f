"""The drop through the API: the queue, the waitlist, the refusals of orders/ and the product's drop fields."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from conftest import client_for
from drops.models import QueueEntry
from drops.services import schedule_cache_key
from preorders.models import WaitlistEntry
from preorders.tests.factories import PreorderProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


def queue_url(product):
    return f"/api/v1/products/{product.pk}/queue/"


def test_join_the_queue_and_read_the_place(user_client, user):
    drop = ProductFactory(stock={"M": 5}, sale_starts_at=timezone.now() + timedelta(minutes=5), queue_enabled=True)
    assert user_client.get(queue_url(drop)).json()["code"] == "queue_no_place"
    joined = user_client.post(queue_url(drop))
    assert joined.status_code == 200
    body = joined.json()
    assert (body["status"], body["position"], body["ahead"]) == ("waiting", None, None) and body["token"]
    again = user_client.get(queue_url(drop), {"token": body["token"]}).json()
    assert again["status"] == "waiting" and again["detail"]
    assert QueueEntry.objects.filter(product=drop, user=user).count() == 1


def test_the_queue_is_for_signed_in_customers(api_client):
    drop = ProductFactory(sale_starts_at=timezone.now(), queue_enabled=True)
    assert api_client.post(queue_url(drop)).status_code == 401


def test_the_queue_of_no_product_is_a_404(user_client):
    assert user_client.get("/api/v1/products/999999/queue/").status_code == 404
    assert user_client.post("/api/v1/products/99999999999999999999999/queue/").status_code == 404
    hidden = ProductFactory(is_active=False, queue_enabled=True, sale_starts_at=timezone.now())
    assert user_client.post(queue_url(hidden)).status_code == 404


def test_a_queue_not_open_yet_is_a_409_in_russian(user_client):
    drop = ProductFactory(sale_starts_at=timezone.now() + timedelta(hours=2), queue_enabled=True)
    response = user_client.post(queue_url(drop))
    assert response.status_code == 409 and response.json()["code"] == "queue_not_open"
    assert response.json()["detail"].startswith("Очередь откроется")


def test_orders_refused_before_the_start_and_without_an_admission(user_client, user):
    start = timezone.now() + timedelta(minutes=5)
    drop = ProductFactory(stock={"M": 5}, sale_starts_at=start, queue_enabled=True)
    body = {
        "items": [{"product": drop.pk, "size": "M", "quantity": 1}],
        "delivery_address": "Москва, ул. Тверская, 1",
    }
    early = user_client.post("/api/v1/orders/", body, format="json")
    assert early.status_code == 409 and early.json()["code"] == "sale_not_started"
    assert "начнутся" in early.json()["detail"]
    drop.__class__.objects.filter(pk=drop.pk).update(sale_starts_at=timezone.now() - timedelta(seconds=1))
    skipping = user_client.post("/api/v1/orders/", body, format="json")
    assert skipping.status_code == 403 and skipping.json()["code"] == "queue_admission_required"
    # An empty queue admits a newcomer at the next slot's moment (at most 60 / queue_rate seconds away).
    joined = user_client.post(queue_url(drop)).json()
    assert joined["status"] == "waiting" and joined["admit_at"]
    QueueEntry.objects.filter(product=drop).update(admit_at=timezone.now())  # that moment comes
    assert user_client.post("/api/v1/orders/", body, format="json").status_code == 201


def test_a_cap_refusal_says_how_many_more(user_client):
    product = ProductFactory(stock={"M": 5}, max_per_customer=2)
    body = {
        "items": [{"product": product.pk, "size": "M", "quantity": 3}],
        "delivery_address": "Москва, ул. Тверская, 1",
    }
    response = user_client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["available"]) == ("customer_limit", 2)
    assert "в одни руки" in response.json()["detail"]


def test_an_unverified_account_is_refused_the_queue_and_a_capped_product(api_client):
    """A drop's limits count people: a fresh account (no code by SMS) joins no queue and orders nothing capped."""
    unverified = UserFactory(phone_verified=False)
    client = client_for(unverified)
    drop = ProductFactory(stock={"M": 5}, sale_starts_at=timezone.now() + timedelta(minutes=5), queue_enabled=True)
    joined = client.post(queue_url(drop))
    assert (joined.status_code, joined.json()["code"]) == (403, "phone_not_verified")
    assert "код" in joined.json()["detail"] and not QueueEntry.objects.exists()

    capped = ProductFactory(stock={"M": 5}, max_per_customer=2)
    body = {
        "items": [{"product": capped.pk, "size": "M", "quantity": 1}],
        "delivery_address": "Москва, Тверская, 1",
    }
    ordered = client.post("/api/v1/orders/", body, format="json")
    assert (ordered.status_code, ordered.json()["code"]) == (403, "phone_not_verified")
    # Nothing capped, nothing to prove: an ordinary product is ordered as before.
    plain = ProductFactory(stock={"M": 5})
    body["items"] = [{"product": plain.pk, "size": "M", "quantity": 1}]
    assert client.post("/api/v1/orders/", body, format="json").status_code == 201


def test_the_product_shows_and_staff_write_the_drop_fields(staff_client, api_client):
    product = PreorderProductFactory()
    starts = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    response = staff_client.patch(
        f"/api/v1/products/{product.pk}/",
        {
            "sale_starts_at": starts.isoformat(),
            "max_per_customer": 2,
            "payment_timeout": 15,
            "queue_enabled": True,
            "queue_rate": 100,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = api_client.get(f"/api/v1/products/{product.pk}/").json()
    assert (body["max_per_customer"], body["payment_timeout"], body["queue_enabled"], body["queue_rate"]) == (
        2,
        15,
        True,
        100,
    )
    assert body["sale_starts_at"] and body["waves"][0]["ships_on"] is None
    bad = staff_client.patch(f"/api/v1/products/{product.pk}/", {"max_per_customer": 0}, format="json")
    assert bad.status_code == 400 and "max_per_customer" in bad.json()


def test_waitlist_for_a_sold_out_size(api_client):
    product = ProductFactory(stock={"M": 0, "L": 3})
    url = f"/api/v1/products/{product.pk}/waitlist/"
    response = api_client.post(url, {"phone": "8 (916) 111-22-33", "size": "M"}, format="json")
    assert response.status_code == 201 and response.json()["phone"] == "+79161112233"
    assert api_client.post(url, {"phone": "+79161112233", "size": "M"}, format="json").status_code == 201
    assert WaitlistEntry.objects.count() == 1
    on_hand = api_client.post(url, {"phone": "+79161112233", "size": "L"}, format="json")
    assert on_hand.status_code == 409 and on_hand.json()["code"] == "waitlist_not_needed"
    assert api_client.post(url, {"phone": "12", "size": "M"}, format="json").status_code == 400
    assert api_client.post(url, {"size": "M"}, format="json").json()["fields"] == {"phone": ["Укажите телефон."]}
    assert api_client.post(url, {"phone": "+79161112233", "size": "XL"}, format="json").status_code == 400
    assert api_client.post("/api/v1/products/99999999999999999999/waitlist/", {}, format="json").status_code == 404


def test_waitlist_of_a_signed_in_customer_takes_their_phone():
    user = UserFactory(phone="+79165554433")
    product = PreorderProductFactory(order_type="waiting")
    response = client_for(user).post(f"/api/v1/products/{product.pk}/waitlist/", {}, format="json")
    assert response.status_code == 201 and response.json() == {
        **response.json(),
        "phone": "+79165554433",
        "size": "",
    }


def test_the_waitlist_is_throttled_per_address(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "waitlist_ip": "2/hour"},
    }
    product = ProductFactory(stock={"M": 0})
    url = f"/api/v1/products/{product.pk}/waitlist/"
    answers = [
        api_client.post(url, {"phone": f"+7916111000{i}", "size": "M"}, format="json").status_code
        for i in range(3)
    ]
    assert answers == [201, 201, 429]


def test_a_valid_token_for_a_drop_whose_start_was_cleared_is_answered_not_a_500(user_client):
    drop = ProductFactory(stock={"M": 5}, sale_starts_at=timezone.now() + timedelta(minutes=5), queue_enabled=True)
    assert user_client.post(queue_url(drop)).status_code == 200
    drop.sale_starts_at = None  # staff took the drop's start away: the queue no longer runs
    drop.save()
    cache.delete(schedule_cache_key(drop.pk))
    token = user_client.get(queue_url(drop)).json()["token"]
    response = user_client.get(queue_url(drop), {"token": token})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
