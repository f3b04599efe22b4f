"""YooKassa failing (500, timeouts, a hang): no request waits on it longer than its timeout, orders stay pending
and payable later (the worker creates the payment), and the circuit breaker makes a dead YooKassa cost nothing per
call. Over real HTTP against the fake."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django_tasks import default_task_backend

from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders import payments
from orders.models import Order, OrderStatus
from orders.payments import PaymentNotFound, PaymentUnavailable, payment_find
from orders.payments.breaker import breaker_state
from orders.services import order_payment_retry, order_payment_start, order_place

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


@pytest.fixture
def queued_tasks(settings):
    """Tasks are queued, not run: as in production, where the worker runs them in its own process."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    yield default_task_backend
    default_task_backend.clear()


class Clock:
    """The breaker's clock, moved by hand: the tests do not depend on how fast the machine is."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("orders.payments.breaker.time", fake)
    return fake


@pytest.fixture
def breaker(settings, clock):
    settings.YOOKASSA_BREAKER_FAILURES = 3
    settings.YOOKASSA_BREAKER_RESET = 30
    settings.YOOKASSA_TIMEOUT = 0.3
    return clock


@pytest.fixture
def tee():
    return ProductFactory(price=Decimal("2000.00"), stock={"M": 10})


def place(user, tee):
    return order_place(
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}],
        delivery_address="Москва, ул. Тверская, 1",
    )


# --- The payment is created in the request; the worker when YooKassa cannot answer -------------------------------
def _post_order(user, tee):
    return client_for(user).post(
        ORDERS,
        {
            "items": [{"product": tee.pk, "size": "M", "quantity": 1}],
            "delivery_address": "Москва, ул. Тверская, 1",
        },
        format="json",
    )


@pytest.mark.django_db(transaction=True)
def test_the_answer_carries_the_payment_link_created_after_the_order_commits(
    user, tee, fake_yookassa, queued_tasks, monkeypatch
):
    """Outside a test transaction, as in production: YooKassa is asked once the order has committed (no
    transaction is open while it answers), and the 201 carries the payment's link; the worker has nothing to do."""
    create = payments.payment_create
    open_transactions = []

    def watched(**kwargs):
        open_transactions.append(connection.in_atomic_block)
        return create(**kwargs)

    monkeypatch.setattr("orders.payments.payment_create", watched)
    response = _post_order(user, tee)
    assert response.status_code == 201, response.json()
    order = Order.objects.get(order_number=response.json()["order_number"])
    assert order.payment_id and response.json()["payment_url"] == order.payment_url
    assert order.payment_url == fake_yookassa.payments[order.payment_id]["confirmation"]["confirmation_url"]
    assert open_transactions == [False]
    assert queued_tasks.results == []


@pytest.mark.django_db(transaction=True)
def test_a_hung_yookassa_costs_the_request_its_timeout_and_the_worker_creates_the_payment(
    user, tee, fake_yookassa, queued_tasks, settings
):
    settings.YOOKASSA_TIMEOUT = 0.5
    fake_yookassa.stall = threading.Event()  # every API answer is held
    started = time.monotonic()
    response = _post_order(user, tee)
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending" and response.json()["payment_url"] == ""
    assert elapsed < 5  # the call gave up after YOOKASSA_TIMEOUT, not whenever YooKassa answers

    [result] = queued_tasks.results
    assert result.task.func.__name__ == "order_payment_create"
    fake_yookassa.stall.set()
    fake_yookassa.stall = None
    order = Order.objects.get(order_number=response.json()["order_number"])
    result.task.call(**result.kwargs)  # what the worker does
    order.refresh_from_db()
    assert order.payment_id and order.payment_url.startswith(fake_yookassa.url)
    # The worker found the payment the timed-out request had asked for (same idempotence key): no second one.
    assert len(fake_yookassa.payments) == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_circuit_open_placing_asks_nobody_and_leaves_the_payment_to_the_worker(
    user, tee, fake_yookassa, queued_tasks, breaker
):
    fake_yookassa.outage = 503
    for _ in range(3):
        with pytest.raises(PaymentUnavailable):
            payment_find("2f1a0000-000f-5000-9000-000000000001")
    assert breaker_state() == "open"
    calls = len(fake_yookassa.api_requests())
    response = _post_order(user, tee)
    assert response.status_code == 201 and response.json()["payment_url"] == ""
    assert len(fake_yookassa.api_requests()) == calls  # the open circuit made no call
    [result] = queued_tasks.results
    assert result.task.func.__name__ == "order_payment_create"


def test_the_api_client_pays_with_pay_when_the_answer_has_no_link(user, tee, fake_yookassa, queued_tasks):
    order = place(user, tee)
    response = client_for(user).post(f"{ORDERS}{order.order_number}/pay/")
    assert response.status_code == 200
    order.refresh_from_db()
    assert response.json()["payment_url"] == order.payment_url != ""


@pytest.mark.parametrize("fault", ["500", "timeout"])
def test_a_failing_yookassa_leaves_the_order_pending_and_payable_later(user, tee, fake_yookassa, breaker, fault):
    if fault == "500":
        fake_yookassa.outage = 500
    else:
        fake_yookassa.stall = threading.Event()
    order = place(user, tee)
    order_payment_start(order_id=order.pk)  # the worker's attempt fails quietly
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.payment_id == ""

    fake_yookassa.reset()
    url = order_payment_retry(order=order)
    order.refresh_from_db()
    assert url == order.payment_url and order.payment_id


def test_checkout_with_yookassa_down_keeps_the_order_on_its_page(client, user, tee, fake_yookassa, queued_tasks):
    fake_yookassa.outage = 500
    client.force_login(user)
    client.post(tee.get_absolute_url(), {"size": "M", "quantity": 1})
    response = client.post("/checkout/", {"delivery_address": "Москва", "action": "pay"})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.status == OrderStatus.PENDING
    page = client.get(order.get_absolute_url()).content.decode()
    assert "платёжный сервис сейчас не отвечает" in page


def test_checkout_sends_the_customer_to_yookassa_when_the_worker_has_not_run(
    client, user, tee, fake_yookassa, queued_tasks
):
    client.force_login(user)
    client.post(tee.get_absolute_url(), {"size": "M", "quantity": 1})
    response = client.post("/checkout/", {"delivery_address": "Москва", "action": "pay"})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.payment_url != ""


# --- The circuit breaker ----------------------------------------------------------------------------------------
def test_the_circuit_opens_after_failures_in_a_row_and_then_costs_nothing(user, tee, fake_yookassa, breaker):
    fake_yookassa.stall = threading.Event()  # hung: every call waits for its timeout
    order = place(user, tee)
    for _ in range(3):
        with pytest.raises(PaymentUnavailable) as failed:
            order_payment_retry(order=order)
        assert failed.value.code == "payment_unavailable"
    assert breaker_state() == "open"
    calls = len(fake_yookassa.api_requests())
    assert calls == 3

    started = time.monotonic()
    for _ in range(20):
        with pytest.raises(PaymentUnavailable) as refused:
            order_payment_retry(order=order)
        assert refused.value.code == "payment_circuit_open"
    assert time.monotonic() - started < 2  # 20 refusals, no 0.3 s timeout waited
    assert len(fake_yookassa.api_requests()) == calls  # and no call made


def test_after_the_reset_timeout_one_trial_call_closes_the_circuit(user, tee, fake_yookassa, breaker):
    fake_yookassa.outage = 500
    order = place(user, tee)
    for _ in range(3):
        with pytest.raises(PaymentUnavailable):
            order_payment_retry(order=order)
    assert breaker_state() == "open"

    breaker.now += 31
    assert breaker_state() == "half-open"
    with pytest.raises(PaymentUnavailable):  # the trial fails: open again at once
        order_payment_retry(order=order)
    assert breaker_state() == "open"

    breaker.now += 31
    fake_yookassa.outage = None
    assert order_payment_retry(order=order)  # the trial succeeds
    assert breaker_state() == "closed"


def test_refusals_of_one_request_do_not_open_the_circuit(fake_yookassa, breaker):
    for _ in range(5):
        with pytest.raises(PaymentNotFound):
            payment_find("no-such-payment")
    assert breaker_state() == "closed"


def test_a_success_forgets_earlier_failures(user, tee, fake_yookassa, breaker):
    order = place(user, tee)
    for _ in range(2):
        fake_yookassa.outage = 500
        with pytest.raises(PaymentUnavailable):
            order_payment_retry(order=order)
        fake_yookassa.outage = None
        with pytest.raises(PaymentNotFound):
            payment_find("no-such-payment")
    assert breaker_state() == "closed"
