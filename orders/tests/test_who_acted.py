"""Who acted, recorded truly: a staff cancel is the shop's (API, admin), a customer's is theirs (API, storefront);
a refund keeps the staff member who made it; payment status moves only by its table, with its timeline entry."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders.models import Order, OrderRefund, OrderStatus, PaymentStatus
from orders.services import order_mark_paid, order_place
from orders.services.lifecycle import order_payment_transition
from orders.tests.helpers import order_pay

pytestmark = pytest.mark.django_db

ADDRESS = "Москва, ул. Тверская, 1"
STAFF_CANCEL = "Заказ отменён магазином."
CUSTOMER_CANCEL = "Заказ отменён покупателем."


@pytest.fixture
def unpaid(user, monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)
    product = ProductFactory(price=Decimal("1000.00"), stock={"M": 3})
    return order_place(
        user=user, items=[{"product": product.pk, "size": "M", "quantity": 1}], delivery_address=ADDRESS
    )


def _last_event(order):
    return order.events.order_by("-id").first().message


def test_staff_cancel_through_the_api_is_the_shops(unpaid, staff_user):
    response = client_for(staff_user).patch(
        f"/api/v1/orders/{unpaid.order_number}/", {"status": "cancelled"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert _last_event(unpaid) == STAFF_CANCEL


def test_staff_cancel_action_of_another_customers_order_is_the_shops(unpaid, staff_user, staff):
    response = staff.post(
        reverse("admin:orders_order_changelist"),
        {"action": "cancel", "_selected_action": [unpaid.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert _last_event(unpaid) == STAFF_CANCEL


def test_staff_cancel_in_the_admin_change_form_is_the_shops(unpaid, staff):
    data = {
        "tracking_number": "",
        "delivery_address": unpaid.delivery_address,
        "cdek_point": "",
        "new_status": "cancelled",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
        "preorder_statuses-TOTAL_FORMS": "0",
        "preorder_statuses-INITIAL_FORMS": "0",
    }
    staff.post(reverse("admin:orders_order_change", args=[unpaid.pk]), data)
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.CANCELLED
    assert _last_event(unpaid) == STAFF_CANCEL


def test_a_customers_cancel_through_the_api_is_theirs(unpaid, user):
    response = client_for(user).post(f"/api/v1/orders/{unpaid.order_number}/cancel/")
    assert response.status_code == 200
    assert _last_event(unpaid) == CUSTOMER_CANCEL


def test_a_customers_cancel_on_the_storefront_is_theirs(unpaid, user, client):
    client.force_login(user)
    client.post(reverse("shop:order_cancel", args=[unpaid.order_number]))
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.CANCELLED
    assert _last_event(unpaid) == CUSTOMER_CANCEL


def test_a_refund_by_a_status_change_keeps_who_made_it(user, staff_user, fake_yookassa):
    product = ProductFactory(price=Decimal("1000.00"), stock={"M": 3})
    order = order_place(
        user=user, items=[{"product": product.pk, "size": "M", "quantity": 1}], delivery_address=ADDRESS
    )
    order_pay(order, fake_yookassa)
    response = client_for(staff_user).patch(
        f"/api/v1/orders/{order.order_number}/", {"status": "refunded"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert OrderRefund.objects.get(order=order).created_by == staff_user


# --- Payment status: one writer, a table ----------------------------------------------------------------------------
def test_payment_status_moves_only_where_its_table_allows(unpaid):
    Order.objects.filter(pk=unpaid.pk).update(payment_status=PaymentStatus.SUCCEEDED)
    assert not order_payment_transition(order=unpaid, to=PaymentStatus.PENDING)
    assert not order_payment_transition(order=unpaid, to=PaymentStatus.WAITING_FOR_CAPTURE)
    assert order_payment_transition(order=unpaid, to=PaymentStatus.REFUNDED, message="Деньги возвращены.")
    assert not order_payment_transition(order=unpaid, to=PaymentStatus.REFUNDED)  # once
    unpaid.refresh_from_db()
    assert unpaid.payment_status == PaymentStatus.REFUNDED
    assert _last_event(unpaid) == "Деньги возвращены."


def test_an_order_move_cannot_set_a_payment_status_its_table_refuses(unpaid):
    Order.objects.filter(pk=unpaid.pk).update(payment_status=PaymentStatus.REFUNDED)
    assert not order_mark_paid(order=unpaid)
    unpaid.refresh_from_db()
    assert (unpaid.status, unpaid.payment_status) == (OrderStatus.PENDING, PaymentStatus.REFUNDED)


@pytest.mark.django_db(transaction=True)
def test_marking_paid_and_its_timeline_entry_commit_together(unpaid, monkeypatch):
    """Outside any transaction, as a notification runs: if the «оплачен» entry cannot be written, the order is
    not left paid without it."""

    def broken(**kwargs):
        raise RuntimeError("the timeline table is unavailable")

    monkeypatch.setattr("orders.services.lifecycle.order_event_add", broken)
    assert not transaction.get_connection().in_atomic_block
    with pytest.raises(RuntimeError):
        order_mark_paid(order=unpaid)
    unpaid.refresh_from_db()
    assert (unpaid.status, unpaid.payment_status) == (OrderStatus.PENDING, PaymentStatus.PENDING)
