"""Refunds by line against the fake YooKassa over real HTTP: amounts, receipts, stock, promo, SMS, retries."""

from decimal import Decimal

import pytest

from catalog.tests.factories import ProductFactory
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
        order = order_refund(order=order, items=[(tee_line.pk, 2)])
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
    order_refund(order=order, items=[(tee_line.pk, 1)])
    order = order_refund(order=order)
    first, second = fake_yookassa.api_requests("POST", "/refunds")
    assert Decimal(first.body["amount"]["value"]) + Decimal(second.body["amount"]["value"]) == Decimal("3540.00")
    assert second.body["receipt"]["items"][-1]["payment_subject"] == "service"
    assert order.status == OrderStatus.REFUNDED and order.payment_status == "refunded"
    assert (stock_of(tee), stock_of(hoodie)) == (5, 5)
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 0  # a full refund of an unshipped order
    with pytest.raises(OrderNotRefundable):
        order_refund(order=order)


def test_refund_of_a_shipped_order_keeps_the_units_out(paid, fake_yookassa):
    order, tee, hoodie, promo = paid
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED)
    order.refresh_from_db()
    order = order_refund(order=order)
    assert order.status == OrderStatus.REFUNDED
    assert (stock_of(tee), stock_of(hoodie)) == (2, 4)
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 1


def test_more_than_was_paid_is_refused_and_nothing_is_sent(paid, fake_yookassa):
    order, tee, hoodie, promo = paid
    tee_line, hoodie_line = _lines(order)
    with pytest.raises(RefundRejected) as refusal:
        order_refund(order=order, items=[(tee_line.pk, 4)])
    assert refusal.value.code == "refund_too_large" and refusal.value.status == 400
    order_refund(order=order, items=[(hoodie_line.pk, 1)])
    with pytest.raises(RefundRejected):
        order_refund(order=order, items=[(hoodie_line.pk, 1)])
    with pytest.raises(RefundRejected) as refusal:
        order_refund(order=order, items=[(999999, 1)])
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
        order_refund(order=order, items=[(tee_line.pk, 1)])
    assert OrderRefund.objects.get().status == "pending" and stock_of(tee) == 2
    fake_yookassa.outage = None
    order_refund(order=order, items=[(tee_line.pk, 1)])
    order_refund(order=order, items=[(tee_line.pk, 1)])  # a second, different refund of one more unit
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
        order_refund(order=order, items=[(tee_line.pk, 3)])
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
    assert user_client.post(url, {}, format="json").status_code == 403
    response = staff_client.post(url, {"items": [{"item": tee_line.pk, "quantity": 1}]}, format="json")
    assert response.status_code == 200, response.json()
    assert [r["amount"] for r in response.json()["refunds"]] == ["900.00"]
    response = staff_client.post(url, {"items": [{"item": tee_line.pk, "quantity": 99}]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "refund_too_large"
    response = staff_client.post(url, {"items": [{"item": "x", "quantity": 1}]}, format="json")
    assert response.status_code == 400
    response = staff_client.post(url, {}, format="json")
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
    order_refund(order=order, items=[(line.pk, 2)])
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
    done = staff.post(url, {**form, "confirm": "1"})
    assert done.status_code == 302
    assert len(fake_yookassa.api_requests("POST", "/refunds")) == 1
    refused = staff.post(url, {f"quantity_{tee_line.pk}": "9", f"quantity_{hoodie_line.pk}": "0"})
    assert "Нельзя вернуть больше" in refused.content.decode()
