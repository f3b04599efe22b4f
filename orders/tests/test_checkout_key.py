"""One checkout places one order (finding 6): repeats and concurrent submits with one key (the API's
`Idempotency-Key`, the storefront form's token) get the same order back."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connections

from catalog.models import ProductStock
from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders.models import Order
from orders.services import order_place

ORDERS = "/api/v1/orders/"
SUBMITS = 5


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


@pytest.fixture
def tee(db):
    return ProductFactory(price=Decimal("1990.00"), stock={"M": 10})


def body(tee, quantity=1):
    return {
        "items": [{"product": tee.pk, "size": "M", "quantity": quantity}],
        "delivery_address": "Москва, ул. Тверская, 1",
    }


def stock(tee):
    return ProductStock.objects.get(product=tee, size="M").quantity


# --- The service --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_repeated_checkout_key_gets_the_same_order(user, tee):
    first = order_place(user=user, checkout_key="k-1", **body(tee))
    again = order_place(user=user, checkout_key="k-1", **body(tee))
    assert again.pk == first.pk
    assert Order.objects.count() == 1 and stock(tee) == 9


@pytest.mark.django_db
def test_keys_are_per_customer_and_no_key_means_no_deduplication(user, tee):
    from accounts.tests.factories import UserFactory

    other = order_place(user=UserFactory(), checkout_key="k-1", **body(tee))
    mine = order_place(user=user, checkout_key="k-1", **body(tee))
    assert other.pk != mine.pk
    order_place(user=user, **body(tee))
    order_place(user=user, **body(tee))
    assert Order.objects.count() == 4 and stock(tee) == 6


@pytest.mark.django_db
def test_a_refused_checkout_keeps_its_key_free(user, tee):
    with pytest.raises(Exception) as refused:
        order_place(user=user, checkout_key="k-1", **body(tee, quantity=50))
    assert refused.value.code == "insufficient_stock"
    assert order_place(user=user, checkout_key="k-1", **body(tee)).pk


# --- The API ------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_api_answers_a_repeated_idempotency_key_with_the_same_order(user, tee):
    client = client_for(user)
    first = client.post(ORDERS, body(tee), format="json", HTTP_IDEMPOTENCY_KEY="a1b2c3")
    again = client.post(ORDERS, body(tee), format="json", HTTP_IDEMPOTENCY_KEY="a1b2c3")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Order.objects.count() == 1 and stock(tee) == 9


@pytest.mark.django_db
def test_an_idempotency_key_reused_with_another_body_is_a_422(user, tee):
    client = client_for(user)
    first = client.post(ORDERS, body(tee), format="json", HTTP_IDEMPOTENCY_KEY="k-9")
    assert first.status_code == 201
    promo_added = {**body(tee), "promo_code": "SALE"}
    for other in (body(tee, quantity=2), promo_added):
        response = client.post(ORDERS, other, format="json", HTTP_IDEMPOTENCY_KEY="k-9")
        assert response.status_code == 422, response.json()
        assert response.json()["code"] == "idempotency_key_reused"
    # The same body in another key order is the same request.
    reordered = dict(reversed(list(body(tee).items())))
    again = client.post(ORDERS, reordered, format="json", HTTP_IDEMPOTENCY_KEY="k-9")
    assert again.status_code == 201 and again.json()["order_number"] == first.json()["order_number"]
    assert Order.objects.count() == 1 and stock(tee) == 9


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["x" * 65, "ключ", "a b"])
def test_a_malformed_idempotency_key_is_a_400_and_places_nothing(user, tee, key):
    response = client_for(user).post(
        ORDERS, body(tee), format="json", headers={"Idempotency-Key": key.encode().decode("latin-1")}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert Order.objects.count() == 0 and stock(tee) == 10


# --- The storefront -----------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_resubmitted_checkout_form_places_one_order(client, user, tee):
    client.force_login(user)
    client.post(tee.get_absolute_url(), {"size": "M", "quantity": 1})
    page = client.get("/checkout/").content.decode()
    assert 'name="checkout_token"' in page
    token = page.split('name="checkout_token" value="')[1].split('"')[0]
    form = {"delivery_address": "Москва", "cdek_point": "", "promo_code": "", "checkout_token": token}
    first = client.post("/checkout/", form)
    again = client.post("/checkout/", form)  # the cart is empty by now: the same order goes on to pay
    order = Order.objects.get()
    assert first["Location"] == again["Location"] == order.get_absolute_url()
    assert stock(tee) == 9


# --- Concurrent submits, on PostgreSQL with real threads ----------------------------------------------------------
def submit_together(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_concurrent_submits_of_one_checkout_place_one_order(user, tee):
    results = submit_together([lambda: order_place(user=user, checkout_key="same", **body(tee))] * SUBMITS)
    assert Counter(type(result).__name__ for result in results) == {"Order": SUBMITS}
    assert len({result.pk for result in results}) == 1
    assert Order.objects.count() == 1 and stock(tee) == 9


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_concurrent_api_submits_with_one_idempotency_key_get_one_answer(user, tee):
    def submit():
        response = client_for(user).post(ORDERS, body(tee), format="json", HTTP_IDEMPOTENCY_KEY="same-key")
        return response.status_code, response.json()["order_number"]

    results = submit_together([submit] * SUBMITS)
    assert len(set(results)) == 1 and results[0][0] == 201, results
    assert Order.objects.count() == 1 and stock(tee) == 9
