"""YooKassa notifications: trusted senders only, the payment read back from the API, every change once."""

import json
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client

from catalog.models import ProductStock
from catalog.tests.factories import ProductFactory
from orders.models import Order, OrderStatus, PaymentStatus
from orders.notifications import order_paid_text, order_payment_canceled_text
from orders.payments import payment_find
from orders.services import order_payment_apply, order_payment_retry, order_payment_start, order_place
from preorders.models import PreorderWave
from preorders.tests.factories import PreorderProductFactory
from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory

URL = "/api/v1/payments/yookassa/notifications/"
YOOKASSA_IP = "185.71.76.10"  # in YooKassa's published 185.71.76.0/27

pytestmark = pytest.mark.django_db


def notify(client, body, ip=YOOKASSA_IP, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", REMOTE_ADDR=ip, **headers)


@pytest.fixture
def placed(fake_yookassa, user, django_capture_on_commit_callbacks):
    """A placed order (stock, a preorder wave unit and a promo use taken) with its pending payment."""
    product = ProductFactory(price=Decimal("2000.00"), stock={"M": 5})
    preorder = PreorderProductFactory(price=Decimal("1000.00"))
    promo = PromoCodeFactory(discount_percent=10, max_uses=5)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[
                {"product": product, "size": "M", "quantity": 2},
                {"product": preorder, "size": "M", "quantity": 1},
            ],
            promo_code=promo.code,
        )
    order.refresh_from_db()
    assert order.payment_id and order.final_amount == Decimal("4500.00")
    order.product, order.preorder, order.promo = product, preorder, promo
    return order


def assert_nothing_taken_back(order):
    assert ProductStock.objects.get(product=order.product, size="M").quantity == 3
    assert PreorderWave.objects.get(product=order.preorder, wave_number=1).current_count == 1
    assert PromoCode.objects.get(pk=order.promo.pk).current_uses == 1


# --- succeeded ------------------------------------------------------------------------------------------------------
def test_succeeded_payment_marks_the_order_paid_and_tells_the_customer(
    client, placed, fake_yookassa, sms_outbox, django_capture_on_commit_callbacks
):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    with django_capture_on_commit_callbacks(execute=True):
        response = notify(client, fake_yookassa.notification(placed.payment_id))
    assert response.status_code == 200
    order = Order.objects.get(pk=placed.pk)
    assert order.status == OrderStatus.PAID and order.payment_status == PaymentStatus.SUCCEEDED
    assert order.paid_at is not None
    assert [(m.phone, m.text) for m in sms_outbox] == [(order.user.phone, order_paid_text(order))]
    assert "оплачен" in sms_outbox[0].text and order.order_number in sms_outbox[0].text
    assert fake_yookassa.api_requests("GET", f"/payments/{placed.payment_id}")  # read back from the API
    assert_nothing_taken_back(placed)


def test_forged_succeeded_for_a_pending_payment_changes_nothing(client, placed, fake_yookassa, sms_outbox):
    body = fake_yookassa.notification(placed.payment_id, "payment.succeeded")
    body["object"].update(status="succeeded", paid=True)  # the body lies; the API says pending
    response = notify(client, body)
    assert response.status_code == 200
    order = Order.objects.get(pk=placed.pk)
    assert order.status == OrderStatus.PENDING and order.payment_status == PaymentStatus.PENDING
    assert sms_outbox == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p["amount"].update(value="1.00"),
        lambda p: p["amount"].update(currency="USD"),
        lambda p: p["metadata"].update(order_number="DWC-2026-999999"),
        lambda p: p.update(metadata={}),
    ],
    ids=["amount", "currency", "order-number", "no-metadata"],
)
def test_a_payment_that_does_not_match_the_order_changes_nothing(client, placed, fake_yookassa, tamper):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    tamper(fake_yookassa.payments[placed.payment_id])
    assert notify(client, fake_yookassa.notification(placed.payment_id)).status_code == 200
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.PENDING


def test_replayed_notification_changes_the_order_once(
    client, placed, fake_yookassa, sms_outbox, django_capture_on_commit_callbacks
):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    body = fake_yookassa.notification(placed.payment_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(client, body).status_code == 200
    paid_at = Order.objects.get(pk=placed.pk).paid_at
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert notify(client, body).status_code == 200
    order = Order.objects.get(pk=placed.pk)
    assert order.status == OrderStatus.PAID and order.paid_at == paid_at
    assert len(sms_outbox) == 1


# --- canceled -------------------------------------------------------------------------------------------------------
def test_canceled_payment_cancels_the_order_and_releases_everything(
    client, placed, fake_yookassa, sms_outbox, django_capture_on_commit_callbacks
):
    assert_nothing_taken_back(placed)
    fake_yookassa.set_status(placed.payment_id, "canceled")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(client, fake_yookassa.notification(placed.payment_id)).status_code == 200
        assert notify(client, fake_yookassa.notification(placed.payment_id)).status_code == 200  # replay
    order = Order.objects.get(pk=placed.pk)
    assert order.status == OrderStatus.CANCELLED and order.payment_status == PaymentStatus.CANCELED
    assert ProductStock.objects.get(product=placed.product, size="M").quantity == 5
    assert PreorderWave.objects.get(product=placed.preorder, wave_number=1).current_count == 0
    assert PromoCode.objects.get(pk=placed.promo.pk).current_uses == 0
    assert [m.text for m in sms_outbox] == [order_payment_canceled_text(order)]


def test_forged_canceled_for_a_pending_payment_changes_nothing(client, placed, fake_yookassa):
    body = fake_yookassa.notification(placed.payment_id, "payment.canceled")
    body["object"]["status"] = "canceled"
    assert notify(client, body).status_code == 200
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.PENDING
    assert_nothing_taken_back(placed)


def test_a_canceled_payment_that_pay_replaced_changes_nothing(client, placed, fake_yookassa):
    first = placed.payment_id
    fake_yookassa.set_status(first, "canceled")
    order_payment_retry(order=placed)  # the customer pays again before the notification arrives
    assert notify(client, fake_yookassa.notification(first)).status_code == 200
    order = Order.objects.get(pk=placed.pk)
    assert order.status == OrderStatus.PENDING and order.payment_id != first
    assert_nothing_taken_back(placed)

    fake_yookassa.set_status(order.payment_id, "succeeded")
    assert notify(client, fake_yookassa.notification(order.payment_id)).status_code == 200
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.PAID


# --- waiting_for_capture and refunds --------------------------------------------------------------------------------
def test_waiting_for_capture_is_captured_and_the_order_paid(client, placed, fake_yookassa):
    fake_yookassa.set_status(placed.payment_id, "waiting_for_capture")
    assert notify(client, fake_yookassa.notification(placed.payment_id)).status_code == 200
    assert fake_yookassa.api_requests("POST", f"/payments/{placed.payment_id}/capture")
    assert fake_yookassa.payment(placed.payment_id)["status"] == "succeeded"
    order = Order.objects.get(pk=placed.pk)
    assert order.status == OrderStatus.PAID and order.payment_status == PaymentStatus.SUCCEEDED


def test_waiting_for_capture_of_a_closed_order_is_canceled_not_taken(client, placed, fake_yookassa):
    from orders.services import order_cancel

    order_cancel(order=placed, by=placed.user)
    fake_yookassa.set_status(placed.payment_id, "waiting_for_capture")
    assert notify(client, fake_yookassa.notification(placed.payment_id)).status_code == 200
    assert fake_yookassa.payment(placed.payment_id)["status"] == "canceled"
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.CANCELLED


def test_refund_succeeded_marks_a_paid_order_refunded(client, placed, fake_yookassa):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    notify(client, fake_yookassa.notification(placed.payment_id))
    refund = fake_yookassa._refund_create(
        {"payment_id": placed.payment_id, "amount": {"value": "4500.00", "currency": "RUB"}}
    )
    assert notify(client, fake_yookassa.notification(refund)).status_code == 200
    order = Order.objects.get(pk=placed.pk)
    assert order.status == OrderStatus.REFUNDED and order.payment_status == PaymentStatus.REFUNDED


def test_forged_refund_notification_changes_nothing(client, placed, fake_yookassa):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    notify(client, fake_yookassa.notification(placed.payment_id))
    forged = {
        "id": "forged-refund",
        "payment_id": placed.payment_id,
        "status": "succeeded",
        "amount": {"value": "4500.00", "currency": "RUB"},
        "created_at": "2026-01-01T00:00:00.000Z",
    }
    assert notify(client, fake_yookassa.notification(forged, "refund.succeeded")).status_code == 200
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.PAID


# --- who may send ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ip", ["8.8.8.8", "127.0.0.1", "10.0.0.1", "2001:db8::1", "not-an-ip"])
def test_untrusted_sender_gets_403_and_nothing_is_read(client, placed, fake_yookassa, ip):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    fake_yookassa.requests.clear()
    response = notify(client, fake_yookassa.notification(placed.payment_id), ip=ip)
    assert response.status_code == 403
    assert response.json()["code"] == "untrusted_sender"
    assert fake_yookassa.requests == []
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.PENDING


@pytest.mark.parametrize("ip", ["77.75.153.1", "77.75.156.11", "185.71.77.30", "2a02:5180:0:1509::10"])
def test_yookassa_networks_are_trusted(client, placed, fake_yookassa, ip):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    assert notify(client, fake_yookassa.notification(placed.payment_id), ip=ip).status_code == 200


def test_configured_networks_are_trusted(client, placed, fake_yookassa, settings):
    settings.YOOKASSA_TRUSTED_NETWORKS = ["127.0.0.1/32"]
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    assert notify(client, fake_yookassa.notification(placed.payment_id), ip="127.0.0.1").status_code == 200
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.PAID


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, placed, fake_yookassa):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    body = fake_yookassa.notification(placed.payment_id)
    response = notify(client, body, ip="8.8.8.8", HTTP_X_FORWARDED_FOR=YOOKASSA_IP)
    assert response.status_code == 403


def test_behind_a_trusted_proxy_the_address_it_saw_counts(client, placed, fake_yookassa, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    body = fake_yookassa.notification(placed.payment_id)
    # A client may put anything on the left; the proxy appends the address it saw.
    spoofed = notify(client, body, ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{YOOKASSA_IP}, 8.8.8.8")
    assert spoofed.status_code == 403
    real = notify(client, body, ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"8.8.8.8, {YOOKASSA_IP}")
    assert real.status_code == 200


# --- garbage --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        "[]",
        "{}",
        json.dumps({"type": "notification"}),
        json.dumps({"type": "something", "event": "payment.succeeded", "object": {"id": "x"}}),
        json.dumps({"type": "notification", "event": "payment.succeeded"}),
        json.dumps({"type": "notification", "event": "payment.succeeded", "object": "x"}),
        json.dumps({"type": "notification", "event": "payment.succeeded", "object": {"status": "succeeded"}}),
        json.dumps({"type": "notification", "event": "payment.succeeded", "object": {"id": 42}}),
        json.dumps({"type": "notification", "event": "payment.succeeded", "object": {"id": "no-such-payment"}}),
    ],
)
def test_garbage_gets_400(client, placed, fake_yookassa, body):
    response = notify(client, body)
    assert response.status_code == 400
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.PENDING


def test_yookassa_unreachable_answers_503_so_the_notification_is_repeated(client, placed, fake_yookassa):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    fake_yookassa.outage = 500
    assert notify(client, fake_yookassa.notification(placed.payment_id)).status_code == 503
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.PENDING
    fake_yookassa.outage = None
    assert notify(client, fake_yookassa.notification(placed.payment_id)).status_code == 200
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.PAID


# --- through the API ------------------------------------------------------------------------------------------------
def test_api_order_down_then_pay_then_notification(
    client, user_client, fake_yookassa, django_capture_on_commit_callbacks
):
    product = ProductFactory(price=Decimal("1500.00"), stock={"S": 2})
    fake_yookassa.outage = 503
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(
            "/api/v1/orders/",
            {
                "delivery_address": "Москва, ул. Тверская, 1",
                "items": [{"product": product.pk, "size": "S", "quantity": 1}],
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    number = response.json()["order_number"]
    assert response.json()["status"] == "pending" and not response.json()["payment_url"]

    fake_yookassa.outage = None
    pay = user_client.post(f"/api/v1/orders/{number}/pay/")
    assert pay.status_code == 200
    order = Order.objects.get(order_number=number)
    assert pay.json() == {"payment_url": order.payment_url} and order.payment_url

    fake_yookassa.set_status(order.payment_id, "succeeded")
    assert notify(client, fake_yookassa.notification(order.payment_id)).status_code == 200
    assert user_client.get(f"/api/v1/orders/{number}/").json()["status"] == "paid"
    assert user_client.post(f"/api/v1/orders/{number}/pay/").status_code == 409


# --- concurrency ----------------------------------------------------------------------------------------------------
def _post_concurrently(body, copies=10):
    barrier = threading.Barrier(copies)
    statuses = []

    def send():
        try:
            barrier.wait(timeout=10)
            statuses.append(notify(Client(), body).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_of_succeeded_change_the_order_once(fake_yookassa, user, sms_outbox):
    product = ProductFactory(price=Decimal("990.00"), stock={"M": 3})
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product, "size": "M", "quantity": 1}],
    )
    order.refresh_from_db()
    fake_yookassa.set_status(order.payment_id, "succeeded")
    statuses = _post_concurrently(fake_yookassa.notification(order.payment_id))
    assert statuses == [200] * 10
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert [m.text for m in sms_outbox] == [order_paid_text(order)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_of_canceled_release_once(fake_yookassa, user):
    product = ProductFactory(price=Decimal("990.00"), stock={"M": 3})
    promo = PromoCodeFactory(discount_percent=5, max_uses=3)
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product, "size": "M", "quantity": 2}],
        promo_code=promo.code,
    )
    order.refresh_from_db()
    assert ProductStock.objects.get(product=product, size="M").quantity == 1
    fake_yookassa.set_status(order.payment_id, "canceled")
    statuses = _post_concurrently(fake_yookassa.notification(order.payment_id))
    assert statuses == [200] * 10
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert ProductStock.objects.get(product=product, size="M").quantity == 3
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 0


def test_start_for_a_missing_order_is_logged_not_raised(caplog):
    order_payment_start(order_id=987654321)
    assert "could not be created" in caplog.text


def test_payment_for_an_order_closed_meanwhile_is_refunded(client, placed, fake_yookassa, sms_outbox):
    from orders.services import order_cancel

    order_cancel(order=placed, by=placed.user)  # e.g. expired unpaid: its units are already back on sale
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    body = fake_yookassa.notification(placed.payment_id)
    assert notify(client, body).status_code == 200
    assert notify(client, body).status_code == 200  # a replay refunds nothing more
    [refund] = fake_yookassa.refunds.values()
    assert refund["payment_id"] == placed.payment_id and refund["amount"]["value"] == "4500.00"
    assert len({r.headers["Idempotence-Key"] for r in fake_yookassa.api_requests("POST", "/refunds")}) == 1
    order = Order.objects.get(pk=placed.pk)
    assert order.status == OrderStatus.CANCELLED and order.payment_status == PaymentStatus.REFUNDED
    assert sms_outbox == []


def test_copies_that_read_the_payment_before_either_applies_change_the_order_once(
    placed, fake_yookassa, sms_outbox, django_capture_on_commit_callbacks
):
    """The interleaving of concurrent copies, made deterministic: both see «succeeded», one changes the order."""
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    seen = [payment_find(placed.payment_id) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        results = [order_payment_apply(payment=payment) for payment in seen]
    assert [order.status for order in results] == [OrderStatus.PAID, OrderStatus.PAID]
    assert len(sms_outbox) == 1


def test_refund_succeeded_is_confirmed_by_the_refund_the_api_returns(client, placed, fake_yookassa):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    notify(client, fake_yookassa.notification(placed.payment_id))
    refund = fake_yookassa._refund_create(
        {"payment_id": placed.payment_id, "amount": {"value": "4500.00", "currency": "RUB"}}
    )
    del fake_yookassa.payments[placed.payment_id]["refunded_amount"]  # only the refund itself says so
    assert notify(client, fake_yookassa.notification(refund)).status_code == 200
    assert fake_yookassa.api_requests("GET", f"/refunds/{refund['id']}")
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.REFUNDED


def test_a_partial_refund_leaves_the_order_paid(client, placed, fake_yookassa):
    fake_yookassa.set_status(placed.payment_id, "succeeded")
    notify(client, fake_yookassa.notification(placed.payment_id))
    refund = fake_yookassa._refund_create(
        {"payment_id": placed.payment_id, "amount": {"value": "100.00", "currency": "RUB"}}
    )
    assert notify(client, fake_yookassa.notification(refund)).status_code == 200
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.PAID
