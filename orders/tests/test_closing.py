"""Cancel, expiry and the reconciliation ask YooKassa first: a payment that succeeded while its notification was
lost is applied, never lost (finding 5). Over real HTTP against the fake, with the real SDK."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders.models import Order, OrderStatus, PaymentStatus
from orders.services import (
    order_cancel,
    order_expire_unpaid,
    order_payment_start,
    order_place,
    order_set_status,
    payments_reconcile,
)
from orders.tests.helpers import stock_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tee():
    return ProductFactory(price=Decimal("1500.00"), stock={"M": 5})


@pytest.fixture
def order(user, tee, fake_yookassa):
    """A pending order with its payment created at the fake (stock M: 5 → 4)."""
    placed = order_place(
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}],
        delivery_address="Москва, ул. Тверская, 1",
    )
    order_payment_start(order_id=placed.pk)
    placed.refresh_from_db()
    assert placed.payment_id
    return placed


def make_stale(order):
    Order.objects.filter(pk=order.pk).update(
        created_at=timezone.now() - timedelta(hours=2), updated_at=timezone.now() - timedelta(hours=2)
    )


# --- Cancel ------------------------------------------------------------------------------------------------------
def test_a_customer_cannot_cancel_an_order_paid_without_a_notification(order, user, tee, fake_yookassa):
    fake_yookassa.set_status(order.payment_id, "succeeded")  # paid; the notification is lost
    response = client_for(user).post(f"/api/v1/orders/{order.order_number}/cancel/")
    assert response.status_code == 409, response.json()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.payment_status == PaymentStatus.SUCCEEDED
    assert stock_of(tee) == 4  # the sold unit stays sold


def test_staff_cannot_cancel_an_order_paid_without_a_notification(order, staff_user, tee, fake_yookassa):
    fake_yookassa.set_status(order.payment_id, "succeeded")
    response = client_for(staff_user).patch(
        f"/api/v1/orders/{order.order_number}/", {"status": "cancelled"}, format="json"
    )
    assert response.status_code == 409
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert stock_of(tee) == 4


def test_a_payment_waiting_for_capture_is_captured_not_cancelled(order, tee, fake_yookassa):
    fake_yookassa.set_status(order.payment_id, "waiting_for_capture")
    with pytest.raises(Exception) as refused:
        order_cancel(order=order, by=order.user)
    assert refused.value.code == "order_not_cancellable"
    assert fake_yookassa.payment(order.payment_id)["status"] == "succeeded"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_an_unpaid_order_is_cancelled_after_asking(order, tee, fake_yookassa):
    order_cancel(order=order, by=order.user)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert stock_of(tee) == 5
    assert fake_yookassa.api_requests("GET", f"/payments/{order.payment_id}")


def test_cancel_is_refused_while_yookassa_cannot_be_asked(order, user, tee, fake_yookassa):
    fake_yookassa.outage = 500
    response = client_for(user).post(f"/api/v1/orders/{order.order_number}/cancel/")
    assert response.status_code == 503
    assert response.json()["code"] == "payment_check_unavailable"
    assert "ЮKassa" in response.json()["detail"]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING and stock_of(tee) == 4


def test_the_storefront_says_why_a_cancel_waits(order, user, client, fake_yookassa):
    fake_yookassa.outage = 500
    client.force_login(user)
    response = client.post(f"/orders/{order.order_number}/cancel/", follow=True)
    assert "Не удалось проверить оплату" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING


def test_an_order_without_a_payment_is_cancelled_without_asking(user, tee, fake_yookassa):
    placed = order_place(
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}],
        delivery_address="Москва, ул. Тверская, 1",
    )
    order_set_status(order=placed, status=OrderStatus.CANCELLED, by=None)
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.CANCELLED
    assert fake_yookassa.api_requests() == []


# --- Expiry --------------------------------------------------------------------------------------------------------
def test_expiry_applies_a_payment_that_succeeded_without_a_notification(order, tee, fake_yookassa):
    make_stale(order)
    fake_yookassa.set_status(order.payment_id, "succeeded")
    assert order_expire_unpaid() == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert stock_of(tee) == 4


def test_expiry_waits_while_yookassa_cannot_be_asked(order, tee, fake_yookassa):
    make_stale(order)
    fake_yookassa.outage = 503
    assert order_expire_unpaid() == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING and stock_of(tee) == 4
    fake_yookassa.outage = None
    assert order_expire_unpaid() == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED and stock_of(tee) == 5


# --- Reconciliation ---------------------------------------------------------------------------------------------
def test_reconciliation_applies_lost_notifications(order, user, tee, fake_yookassa):
    other = order_place(
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}],
        delivery_address="Москва, ул. Тверская, 1",
    )
    order_payment_start(order_id=other.pk)
    other.refresh_from_db()
    fake_yookassa.set_status(order.payment_id, "succeeded")
    fake_yookassa.set_status(other.payment_id, "canceled")

    assert payments_reconcile().checked == 0  # too fresh: their notifications may still come

    make_stale(order)
    make_stale(other)
    report = payments_reconcile()
    assert (report.checked, report.settled, report.unavailable) == (2, 2, 0)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert Order.objects.get(pk=other.pk).status == OrderStatus.CANCELLED
    assert stock_of(tee) == 4  # the cancelled one's unit is back
    assert payments_reconcile().checked == 0  # nothing left pending


def test_reconciliation_creates_a_payment_whose_creation_failed(user, tee, fake_yookassa):
    placed = order_place(
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}],
        delivery_address="Москва, ул. Тверская, 1",
    )
    fake_yookassa.outage = 500
    order_payment_start(order_id=placed.pk)
    make_stale(placed)
    assert payments_reconcile().created == 0
    fake_yookassa.outage = None
    assert payments_reconcile().created == 1
    placed.refresh_from_db()
    assert placed.payment_url and placed.status == OrderStatus.PENDING


def test_reconciliation_counts_what_yookassa_did_not_answer(order, fake_yookassa):
    make_stale(order)
    fake_yookassa.outage = 500
    assert payments_reconcile().unavailable == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING


def test_the_scheduler_loop_reconciles_before_expiring(order, fake_yookassa, capsys):
    make_stale(order)
    fake_yookassa.set_status(order.payment_id, "succeeded")
    call_command("expire_unpaid_orders")
    out = capsys.readouterr().out
    assert "Reconciled 1 pending payment(s): 1 settled" in out and "Expired 0" in out
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_the_reconcile_command(order, fake_yookassa, capsys):
    make_stale(order)
    fake_yookassa.set_status(order.payment_id, "succeeded")
    call_command("reconcile_payments")
    assert "1 settled" in capsys.readouterr().out
