"""`order_transition`: the one writer of an order's status, with its timeline and status groups."""

import pytest

from catalog.tests.factories import ProductFactory
from orders.models import ALLOWED_TRANSITIONS, Order, OrderEvent, OrderStatus, PaymentStatus
from orders.services import order_cancel, order_place, order_set_status, order_set_tracking, order_transition
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


def test_status_groups_partition_the_statuses():
    assert set(OrderStatus.LIVE) | set(OrderStatus.CLOSED) == set(OrderStatus.values)
    assert not set(OrderStatus.LIVE) & set(OrderStatus.CLOSED)
    assert set(OrderStatus.HOLDS_PAYMENT) == set(OrderStatus.LIVE) - {OrderStatus.PENDING}
    assert set(PaymentStatus.UNPAID) == {PaymentStatus.PENDING, PaymentStatus.CANCELED}


@pytest.mark.parametrize("target", OrderStatus.values)
def test_sources_of_a_status_are_read_from_the_transition_table(target):
    expected = {source for source, targets in ALLOWED_TRANSITIONS.items() if target in targets}
    assert set(OrderStatus.sources_of(target)) == expected


def test_a_transition_happens_once_and_records_the_timeline():
    order = OrderFactory(status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED)
    told = []
    assert order_transition(order=order, to=OrderStatus.PROCESSING, notify=told.append)
    assert not order_transition(order=order, to=OrderStatus.PROCESSING, notify=told.append)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PROCESSING
    assert list(order.events.values_list("status", "message")) == [(OrderStatus.PROCESSING, "Заказ собирается.")]
    assert told == [order]


def test_a_transition_from_a_status_that_cannot_reach_the_target_changes_nothing():
    order = OrderFactory(status=OrderStatus.CANCELLED)
    assert not order_transition(order=order, to=OrderStatus.PAID)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert not OrderEvent.objects.exists()


def test_the_first_moment_of_a_status_is_kept():
    order = OrderFactory(status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED)
    assert order_transition(order=order, to=OrderStatus.SHIPPED)
    first = Order.objects.get(pk=order.pk).shipped_at
    assert first is not None and order.shipped_at == first


def test_every_order_has_a_timeline_from_placing_to_shipping(user):
    product = ProductFactory(stock={"M": 3})
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1}],
    )
    order_set_status(order=order, status=OrderStatus.PAID, by=None)
    order_set_tracking(order=order, tracking_number="1234567890", by=None)
    assert list(order.events.values_list("status", flat=True)) == [
        OrderStatus.PENDING,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
    ]
    assert order.events.last().message == "Заказ передан в доставку, трек-номер 1234567890."


def test_a_cancelled_order_says_who_cancelled_it(user):
    product = ProductFactory(stock={"M": 3})
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1}],
    )
    assert order.is_cancellable
    order_cancel(order=order, by=user)
    assert not Order.objects.get(pk=order.pk).is_cancellable
    assert order.events.last().message == "Заказ отменён покупателем."


def test_an_order_number_is_its_id_without_a_placeholder(user):
    product = ProductFactory(stock={"M": 3})
    first = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1}],
    )
    second = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1}],
    )
    assert first.order_number.endswith(f"-{first.pk:06d}") and second.pk == first.pk + 1
    assert Order.objects.get(pk=second.pk).order_number == second.order_number
