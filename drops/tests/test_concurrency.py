"""Drops under real concurrency on PostgreSQL: caps, per-customer codes, the queue's draw and admissions, and
back-in-stock alerts, with real threads (each its own connection) and over HTTP against gunicorn.

Skipped (visibly) on SQLite; run with
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/dwc_drops .venv/bin/pytest drops/tests/test_concurrency.py`.
"""

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import UserFactory
from catalog.models import ProductStock
from catalog.tests.factories import ProductFactory
from drops.models import DropQueue, QueueEntry
from drops.services import queue_join, queue_place
from orders.models import Order, OrderItem
from orders.services import order_cancel, order_place
from orders.tests.test_concurrency import outcomes, run_together
from orders.tests.test_concurrency_http import gunicorn  # noqa: F401 - the fixture
from preorders.models import WaitlistEntry
from preorders.services import waitlist_join
from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMES = 20


@pytest.fixture
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


def one_unit(product, size="M"):
    return [{"product": product.pk, "size": size, "quantity": 1}]


# --- Caps, with threads -------------------------------------------------------------------------------------------
def test_twenty_orders_of_one_customer_at_once_get_exactly_the_cap(no_payments):
    product = ProductFactory(stock={"M": 100, "L": 100}, max_per_customer=2)
    customer = UserFactory()
    calls = [
        lambda size=("M" if i % 2 else "L"): order_place(
            delivery_address="Москва", user=customer, items=one_unit(product, size)
        )
        for i in range(TIMES)
    ]
    assert outcomes(run_together(calls)) == {"ok": 2, "customer_limit": TIMES - 2}
    assert sum(OrderItem.objects.filter(order__user=customer).values_list("quantity", flat=True)) == 2
    # Other customers were never held up by that customer's lock.
    strangers = [UserFactory() for _ in range(10)]
    others = [
        lambda user=user: order_place(delivery_address="Москва", user=user, items=one_unit(product))
        for user in strangers
    ]
    assert outcomes(run_together(others)) == {"ok": 10}


def test_a_code_for_one_use_per_customer_is_used_once_by_twenty_orders_at_once(no_payments):
    products = [ProductFactory(stock={"M": 5}) for _ in range(TIMES)]
    PromoCodeFactory(code="ONCE", max_uses_per_customer=1)
    customer = UserFactory()
    calls = [
        lambda p=p: order_place(delivery_address="Москва", user=customer, items=one_unit(p), promo_code="ONCE")
        for p in products
    ]
    assert outcomes(run_together(calls)) == {"ok": 1, "promo_customer_limit": TIMES - 1}
    assert PromoCode.objects.get(code="ONCE").current_uses == 1


def test_a_first_order_code_fired_twenty_times_at_once_makes_one_order(no_payments):
    product = ProductFactory(stock={"M": 50})
    PromoCodeFactory(code="FIRST", first_order_only=True)
    customer = UserFactory()
    calls = [
        lambda: order_place(delivery_address="Москва", user=customer, items=one_unit(product), promo_code="FIRST")
        for _ in range(TIMES)
    ]
    assert outcomes(run_together(calls)) == {"ok": 1, "promo_first_order_only": TIMES - 1}
    assert Order.objects.filter(user=customer).count() == 1


# --- Caps over HTTP -----------------------------------------------------------------------------------------------
def post_many(url, requests):
    """(path, body, access token) each from its own thread, all at once; returns Counter of (status, code)."""
    barrier = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def client(index):
        path, body, token = requests[index]
        request = urllib.request.Request(
            f"{url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answers[index] = (response.status, json.loads(response.read()).get("code"))
        except urllib.error.HTTPError as error:
            answers[index] = (error.code, json.loads(error.read() or b"{}").get("code"))
        except OSError as error:
            answers[index] = ("no answer", repr(error))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(answers)


def token_of(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def test_one_customer_posting_twenty_orders_at_once_gets_the_cap(gunicorn):  # noqa: F811
    product = ProductFactory(stock={"M": 100}, max_per_customer=2)
    token = token_of(UserFactory())
    body = {"items": one_unit(product), "delivery_address": "Москва, ул. Тверская, 1"}
    assert post_many(gunicorn, [("/api/v1/orders/", body, token)] * TIMES) == {
        (201, None): 2,
        (409, "customer_limit"): TIMES - 2,
    }
    assert ProductStock.objects.get(product=product).quantity == 98


def test_one_customer_posting_a_per_customer_code_twenty_times_uses_it_once(gunicorn):  # noqa: F811
    products = [ProductFactory(stock={"M": 5}) for _ in range(TIMES)]
    PromoCodeFactory(code="ONEEACH", max_uses_per_customer=1)
    token = token_of(UserFactory())
    requests = [
        ("/api/v1/orders/", {"items": one_unit(p), "promo_code": "oneeach", "delivery_address": "Москва"}, token)
        for p in products
    ]
    assert post_many(gunicorn, requests) == {(201, None): 1, (400, "promo_customer_limit"): TIMES - 1}


# --- The queue ----------------------------------------------------------------------------------------------------
def test_forty_arrivals_before_the_start_are_drawn_once_into_forty_places():
    start = timezone.now() + timedelta(minutes=2)
    drop = ProductFactory(stock={"M": 100}, sale_starts_at=start, queue_enabled=True, queue_rate=7)
    users = [UserFactory() for _ in range(40)]
    early = start - timedelta(minutes=1)
    joins = run_together([lambda user=user: queue_join(product=drop, user=user, now=early) for user in users])
    assert all(place.status == "waiting" for place in joins), joins
    # Everyone refreshes in the first minute of the sale: one draw, forty distinct places, one every 60/7 s.
    after = start + timedelta(seconds=59)
    places = run_together(
        [lambda user=user: queue_place(product_id=drop.pk, user=user, now=after) for user in users]
    )
    assert sorted(QueueEntry.objects.filter(product=drop).values_list("slot", flat=True)) == list(range(40))
    assert Counter(place.status for place in places) == {"admitted": 7, "waiting": 33}
    assert DropQueue.objects.get(product=drop).tail == 40


def test_arrivals_after_the_start_queue_behind_at_the_rate():
    start = timezone.now() - timedelta(seconds=1)
    drop = ProductFactory(stock={"M": 100}, sale_starts_at=start, queue_enabled=True, queue_rate=4)
    users = [UserFactory() for _ in range(30)]
    # Each account twice at once: one place each all the same.
    calls = [lambda user=user: queue_join(product=drop, user=user) for user in users for _ in range(2)]
    assert not [r for r in run_together(calls) if isinstance(r, Exception)]
    rows = list(QueueEntry.objects.filter(product=drop).values_list("user_id", "slot", "admit_at"))
    assert len(rows) == 30 and len({slot for _, slot, _ in rows}) == 30
    per_minute = Counter(int((admit_at - start).total_seconds() // 60) for _, _, admit_at in rows)
    assert max(per_minute.values()) <= 4


def test_over_http_only_the_admitted_minute_can_order_and_nobody_skips_the_queue(
    gunicorn,  # noqa: F811
):
    # Every test customer comes from 127.0.0.1, as buyers behind a mobile carrier do: all thirty get a place.
    start = timezone.now() - timedelta(seconds=1)
    drop = ProductFactory(stock={"M": 100}, sale_starts_at=start, queue_enabled=True, queue_rate=5)
    tokens = [token_of(UserFactory()) for _ in range(30)]
    queue = f"/api/v1/products/{drop.pk}/queue/"
    # Ten customers call the orders API straight away, without a place: every one refused.
    skippers = [token_of(UserFactory()) for _ in range(10)]
    order = {"items": one_unit(drop), "delivery_address": "Москва, ул. Тверская, 1"}
    assert post_many(gunicorn, [("/api/v1/orders/", order, t) for t in skippers]) == {
        (403, "queue_admission_required"): 10
    }
    assert post_many(gunicorn, [(queue, {}, t) for t in tokens]) == {(200, None): 30}
    # Places are 12 s apart (rate 5); let time pass until the fifth one's moment has just come, the sixth's is
    # 11.5 s away.
    first = QueueEntry.objects.filter(product=drop).order_by("slot").values_list("admit_at", flat=True)[0]
    QueueEntry.objects.filter(product=drop).update(
        admit_at=F("admit_at") - (first - timezone.now()) - timedelta(seconds=48.5)
    )
    # All thirty try to order at once: only the five whose moments have come are admitted.
    assert post_many(gunicorn, [("/api/v1/orders/", order, t) for t in tokens]) == {
        (201, None): 5,
        (403, "queue_admission_required"): 25,
    }
    assert ProductStock.objects.get(product=drop).quantity == 95


# --- Back in stock ------------------------------------------------------------------------------------------------
def test_units_coming_back_at_once_tell_each_waiting_phone_once(no_payments, sms_outbox):
    product = ProductFactory(stock={"M": 10})
    orders = [
        order_place(delivery_address="Москва", user=UserFactory(), items=one_unit(product)) for _ in range(10)
    ]
    phones = [f"+7916500{i:04d}" for i in range(15)]
    for phone in phones:
        waitlist_join(product=product, phone=phone, size="M")
    assert outcomes(run_together([lambda o=o: order_cancel(order=o, by=o.user) or o for o in orders])) == {
        "ok": 10
    }
    assert sorted(message.phone for message in sms_outbox) == sorted(phones)
    assert not WaitlistEntry.objects.filter(notified_at__isnull=True).exists()
