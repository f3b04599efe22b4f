"""Refunds by line against the fake YooKassa over real HTTP: amounts, receipts, stock, promo, SMS, retries."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connections

from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders import payments
from orders.models import Order, OrderRefund, OrderStatus
from orders.payments import OrderNotRefundable, PaymentUnavailable
from orders.services import (
    RefundRejected,
    order_payment_apply,
    order_payment_start,
    order_place,
    order_refund,
    order_refund_plan,
    payment_notification_handle,
)
from orders.tests.helpers import stock_of, wave_counts
from preorders.tests.factories import PreorderProductFactory
from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory

ADDRESS = "Москва, ул. Тверская, 1"


def receipt_sum(items):
    return sum(Decimal(item["amount"]["value"]) * Decimal(str(item["quantity"])) for item in items)


@pytest.fixture
def paid(fake_yookassa, user, settings):
    """A paid order: 3 tees (M) at 1000 and a hoodie at 500 with 10 % off, 390 delivery."""
    settings.DELIVERY_FLAT_AMOUNT = "390.00"
    tee = ProductFactory(price=Decimal("1000.00"), stock={"M": 5})
    hoodie = ProductFactory(price=Decimal("500.00"), stock={"M": 5})
    promo = PromoCodeFactory(code="TEN", discount_percent=10, max_uses=5)
    order = order_place(
        user=user,
        items=[
            {"product": tee.pk, "size": "M", "quantity": 3},
            {"product": hoodie.pk, "size": "M", "quantity": 1},
        ],
        delivery_address=ADDRESS,
        promo_code="TEN",
    )
    order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    fake_yookassa.set_status(order.payment_id, "succeeded")
    order_payment_apply(payment=payments.payment_find(order.payment_id))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.final_amount == Decimal("3540.00")
    return order, tee, hoodie, promo


def _lines(order):
    return list(order.items.order_by("id"))


def test_partial_refund_returns_the_units_share_with_its_receipt(
    paid, fake_yookassa, sms_outbox, django_capture_on_commit_callbacks
):
    order, tee, hoodie, promo = paid
    tee_line, _ = _lines(order)
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = order_refund(order=order, items=[(tee_line.pk, 2)], by=None)
    [request] = fake_yookassa.api_requests("POST", "/refunds")
    assert request.body["amount"]["value"] == "1800.00"  # 2 × 1000 less 10 %
    assert receipt_sum(request.body["receipt"]["items"]) == Decimal("1800.00")
    assert request.body["receipt"]["items"][0]["quantity"] in (2, "2.0", 2.0)
    assert order.status == OrderStatus.PAID  # a partial refund keeps the status
    assert stock_of(tee) == 4  # 5 − 3 + 2: back to stock, the order had not shipped
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 1  # kept: not a full refund
    assert "Частичный возврат 1 800 ₽" in order.events.last().message
    assert any("1 800 ₽" in str(message) for message in sms_outbox)


def test_full_refund_after_a_partial_one_returns_the_rest_and_the_delivery(paid, fake_yookassa):
    order, tee, hoodie, promo = paid
    tee_line, _ = _lines(order)
    order_refund(order=order, items=[(tee_line.pk, 1)], by=None)
    order = order_refund(order=order, by=None)
    first, second = fake_yookassa.api_requests("POST", "/refunds")
    assert Decimal(first.body["amount"]["value"]) + Decimal(second.body["amount"]["value"]) == Decimal("3540.00")
    assert second.body["receipt"]["items"][-1]["payment_subject"] == "service"
    assert order.status == OrderStatus.REFUNDED and order.payment_status == "refunded"
    assert (stock_of(tee), stock_of(hoodie)) == (5, 5)
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 0  # a full refund of an unshipped order
    with pytest.raises(OrderNotRefundable):
        order_refund(order=order, by=None)


def test_refund_of_a_shipped_order_keeps_the_units_out(paid, fake_yookassa):
    order, tee, hoodie, promo = paid
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED)
    order.refresh_from_db()
    order = order_refund(order=order, by=None)
    assert order.status == OrderStatus.REFUNDED
    assert (stock_of(tee), stock_of(hoodie)) == (2, 4)
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 1


def test_more_than_was_paid_is_refused_and_nothing_is_sent(paid, fake_yookassa):
    order, tee, hoodie, promo = paid
    tee_line, hoodie_line = _lines(order)
    with pytest.raises(RefundRejected) as refusal:
        order_refund(order=order, items=[(tee_line.pk, 4)], by=None)
    assert refusal.value.code == "refund_too_large" and refusal.value.status == 400
    order_refund(order=order, items=[(hoodie_line.pk, 1)], by=None)
    with pytest.raises(RefundRejected):
        order_refund(order=order, items=[(hoodie_line.pk, 1)], by=None)
    with pytest.raises(RefundRejected) as refusal:
        order_refund(order=order, items=[(999999, 1)], by=None)
    assert refusal.value.code == "refund_item_unknown"
    assert len(fake_yookassa.api_requests("POST", "/refunds")) == 1


def test_an_unpaid_order_is_not_refundable(fake_yookassa, user):
    tee = ProductFactory(stock={"M": 2})
    order = order_place(
        user=user, items=[{"product": tee.pk, "size": "M", "quantity": 1}], delivery_address=ADDRESS
    )
    with pytest.raises(OrderNotRefundable):
        order_refund_plan(order=order)


def test_a_retry_after_yookassa_failed_refunds_once(paid, fake_yookassa):
    order, tee, hoodie, promo = paid
    tee_line, _ = _lines(order)
    fake_yookassa.outage = 500
    with pytest.raises(PaymentUnavailable):
        order_refund(order=order, items=[(tee_line.pk, 1)], by=None)
    assert OrderRefund.objects.get().status == "pending" and stock_of(tee) == 2
    fake_yookassa.outage = None
    order_refund(order=order, items=[(tee_line.pk, 1)], by=None)
    order_refund(order=order, items=[(tee_line.pk, 1)], by=None)  # a second, different refund of one more unit
    refunds = fake_yookassa.refunds.values()
    assert sorted(r["amount"]["value"] for r in refunds) == ["900.00", "900.00"]
    keys = {r.headers["Idempotence-Key"] for r in fake_yookassa.api_requests("POST", "/refunds")}
    assert len(keys) == 2  # the failed call and its retry share a key
    assert stock_of(tee) == 4 and OrderRefund.objects.filter(status="succeeded").count() == 2


def test_refund_succeeded_notification_completes_a_pending_refund_once(paid, fake_yookassa, client):
    order, tee, hoodie, promo = paid
    tee_line, _ = _lines(order)
    fake_yookassa.outage = 500
    with pytest.raises(PaymentUnavailable):
        order_refund(order=order, items=[(tee_line.pk, 3)], by=None)
    fake_yookassa.outage = None
    # YooKassa made the refund after all (its answer was lost); its notification arrives.
    refund = fake_yookassa._refund_create({"payment_id": order.payment_id, "amount": {"value": "2700.00"}})
    notification = fake_yookassa.notification(refund, "refund.succeeded")
    payment_notification_handle(data=notification)
    payment_notification_handle(data=notification)
    ours = OrderRefund.objects.get()
    assert ours.status == "succeeded" and ours.refund_id == refund["id"]
    assert stock_of(tee) == 5


def test_staff_refund_over_the_api(paid, fake_yookassa, staff_client, user_client):
    order, tee, hoodie, promo = paid
    tee_line, _ = _lines(order)
    url = f"/api/v1/orders/{order.order_number}/refund/"
    assert user_client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="u-1").status_code == 403
    one = {"items": [{"item": tee_line.pk, "quantity": 1}]}
    response = staff_client.post(url, one, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert response.status_code == 200, response.json()
    assert [r["amount"] for r in response.json()["refunds"]] == ["900.00"]
    too_many = {"items": [{"item": tee_line.pk, "quantity": 99}]}
    response = staff_client.post(url, too_many, format="json", HTTP_IDEMPOTENCY_KEY="r-2")
    assert response.status_code == 400 and response.json()["code"] == "refund_too_large"
    bad = {"items": [{"item": "x", "quantity": 1}]}
    response = staff_client.post(url, bad, format="json", HTTP_IDEMPOTENCY_KEY="r-3")
    assert response.status_code == 400
    response = staff_client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="r-4")
    assert response.status_code == 200 and response.json()["status"] == "refunded"


def test_preorder_units_go_back_to_their_wave(fake_yookassa, user):
    hoodie = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5, price=Decimal("1000.00"))
    order = order_place(
        user=user, items=[{"product": hoodie.pk, "size": "M", "quantity": 3}], delivery_address=ADDRESS
    )
    order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    fake_yookassa.set_status(order.payment_id, "succeeded")
    order_payment_apply(payment=payments.payment_find(order.payment_id))
    order.refresh_from_db()
    [line] = order.items.all()
    order_refund(order=order, items=[(line.pk, 2)], by=None)
    assert wave_counts(hoodie) == [1, 0]


def test_admin_refund_screen_confirms_what_and_how_much(paid, fake_yookassa, staff):
    order, tee, hoodie, promo = paid
    tee_line, hoodie_line = _lines(order)
    url = f"/admin/orders/order/{order.pk}/refund/"
    page = staff.get(url)
    assert page.status_code == 200 and "Показать сумму возврата" in page.content.decode()
    form = {f"quantity_{tee_line.pk}": "1", f"quantity_{hoodie_line.pk}": "0"}
    preview = staff.post(url, form)
    assert "Да, вернуть 900 ₽" in preview.content.decode()
    assert fake_yookassa.api_requests("POST", "/refunds") == []  # nothing before the confirmation
    token = preview.content.decode().split('name="refund_token" value="')[1].split('"')[0]
    done = staff.post(url, {**form, "confirm": "1", "refund_token": token})
    assert done.status_code == 302
    assert len(fake_yookassa.api_requests("POST", "/refunds")) == 1
    refused = staff.post(url, {f"quantity_{tee_line.pk}": "9", f"quantity_{hoodie_line.pk}": "0"})
    assert "Нельзя вернуть больше" in refused.content.decode()


# --- A refund is named by its request -----------------------------------------------------------------------------
def _refund_url(order):
    return f"/api/v1/orders/{order.order_number}/refund/"


def test_an_api_refund_needs_an_idempotency_key(paid, fake_yookassa, staff_client):
    order, tee, hoodie, promo = paid
    response = staff_client.post(_refund_url(order), {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_required"
    response = staff_client.post(_refund_url(order), {}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 65)
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    assert fake_yookassa.api_requests("POST", "/refunds") == [] and not OrderRefund.objects.exists()


def test_the_same_api_refund_posted_twice_300_ms_apart_refunds_once(paid, fake_yookassa, staff_client):
    order, tee, hoodie, promo = paid
    tee_line, _ = _lines(order)
    one = {"items": [{"item": tee_line.pk, "quantity": 1}]}
    first = staff_client.post(_refund_url(order), one, format="json", HTTP_IDEMPOTENCY_KEY="refund-1")
    time.sleep(0.3)
    again = staff_client.post(_refund_url(order), one, format="json", HTTP_IDEMPOTENCY_KEY="refund-1")
    assert first.status_code == again.status_code == 200
    assert first.json()["refunds"] == again.json()["refunds"]
    assert [r["amount"]["value"] for r in fake_yookassa.refunds.values()] == ["900.00"]
    assert OrderRefund.objects.count() == 1 and stock_of(tee) == 3


def test_a_refund_key_reused_with_another_body_is_refused(paid, fake_yookassa, staff_client):
    order, tee, hoodie, promo = paid
    tee_line, hoodie_line = _lines(order)
    url = _refund_url(order)
    one = {"items": [{"item": tee_line.pk, "quantity": 1}]}
    assert staff_client.post(url, one, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 200
    other = {"items": [{"item": hoodie_line.pk, "quantity": 1}]}
    response = staff_client.post(url, other, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert staff_client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 422
    assert OrderRefund.objects.count() == 1 and len(fake_yookassa.refunds) == 1


def test_yookassa_key_follows_the_request_not_what_was_refunded_before(paid, fake_yookassa):
    """A request whose answer was lost, repeated after another refund went through, is the same refund."""
    order, tee, hoodie, promo = paid
    tee_line, _ = _lines(order)
    fake_yookassa.outage = 500
    with pytest.raises(PaymentUnavailable):
        order_refund(order=order, items=[(tee_line.pk, 1)], request_key="a", request_hash="h", by=None)
    fake_yookassa.outage = None
    order_refund(order=order, items=[(tee_line.pk, 1)], request_key="b", request_hash="h", by=None)
    order_refund(order=order, items=[(tee_line.pk, 1)], request_key="a", request_hash="h", by=None)
    order_refund(order=order, items=[(tee_line.pk, 1)], request_key="a", request_hash="h", by=None)
    calls = fake_yookassa.api_requests("POST", "/refunds")
    keys = [call.headers["Idempotence-Key"] for call in calls]
    assert len(calls) == 3 and keys[0] == keys[2] != keys[1]  # a's failed call and its retry share a key
    assert len(fake_yookassa.refunds) == 2 and stock_of(tee) == 4
    assert OrderRefund.objects.filter(status="succeeded").count() == 2


def test_the_admin_confirmation_posted_twice_300_ms_apart_refunds_once(paid, fake_yookassa, staff):
    order, tee, hoodie, promo = paid
    tee_line, hoodie_line = _lines(order)
    url = f"/admin/orders/order/{order.pk}/refund/"
    form = {f"quantity_{tee_line.pk}": "1", f"quantity_{hoodie_line.pk}": "0"}
    preview = staff.post(url, form).content.decode()
    token = preview.split('name="refund_token" value="')[1].split('"')[0]
    assert len(token) >= 24
    confirm = {**form, "confirm": "1", "refund_token": token}
    assert staff.post(url, confirm).status_code == 302
    time.sleep(0.3)
    assert staff.post(url, confirm).status_code == 302
    assert len(fake_yookassa.refunds) == 1 and OrderRefund.objects.get().request_key == token
    assert stock_of(tee) == 3
    # The same token with other lines is refused; the screen says so and nothing is sent.
    page = staff.post(url, {**confirm, f"quantity_{hoodie_line.pk}": "1"}).content.decode()
    assert "уже использован" in page and len(fake_yookassa.refunds) == 1
    # A confirmation without its token only shows the amount again, with a fresh token.
    page = staff.post(url, {**form, "confirm": "1"}).content.decode()
    assert "Да, вернуть 900 ₽" in page and len(fake_yookassa.refunds) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refund_requests_with_one_key_refund_once(paid, fake_yookassa, staff_user):
    order, tee, hoodie, promo = paid
    tee_line, _ = _lines(order)
    barrier = threading.Barrier(2)
    answers = []

    def post():
        try:
            barrier.wait(timeout=30)
            response = client_for(staff_user).post(
                _refund_url(order),
                {"items": [{"item": tee_line.pk, "quantity": 2}]},
                format="json",
                HTTP_IDEMPOTENCY_KEY="together",
            )
            answers.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [200, 200]
    assert [r["amount"]["value"] for r in fake_yookassa.refunds.values()] == ["1800.00"]
    assert OrderRefund.objects.get().status == "succeeded" and stock_of(tee) == 4
