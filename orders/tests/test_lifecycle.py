"""The order lifecycle: cancelling and expiring give everything back once; allowed transitions; tracking."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from orders.errors import InvalidTransition, OrderInvalid, OrderNotCancellable
from orders.models import ALLOWED_TRANSITIONS, Order, OrderStatus, PaymentStatus
from orders.notifications import order_shipped_text
from orders.services import (
    order_cancel,
    order_expire_unpaid,
    order_mark_paid,
    order_mark_refunded,
    order_payment_canceled,
    order_place,
    order_set_status,
    order_set_tracking,
    order_staff_update,
)
from orders.tests.factories import OrderFactory
from orders.tests.helpers import stock_of, wave_counts
from preorders.tests.factories import PreorderProductFactory
from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(user):
    """An order taking 2 units of stock, 7 preorder units over two waves, and one use of a code."""
    tee = ProductFactory(stock={"M": 5})
    hoodie = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5)
    order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": hoodie.pk, "size": "M", "quantity": 3}],
    )
    promo = PromoCodeFactory(max_uses=3)
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[
            {"product": tee.pk, "size": "M", "quantity": 2},
            {"product": hoodie.pk, "size": "L", "quantity": 7},
        ],
        promo_code=promo.code,
    )
    hoodie.refresh_from_db()
    assert hoodie.order_type == Product.OrderType.WAITING
    assert (stock_of(tee), wave_counts(hoodie), PromoCode.objects.get(pk=promo.pk).current_uses) == (3, [5, 5], 1)
    return order, tee, hoodie, promo


def assert_given_back(order, tee, hoodie, promo):
    assert stock_of(tee) == 5
    assert wave_counts(hoodie) == [3, 0]
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 0
    hoodie.refresh_from_db()
    assert hoodie.order_type == Product.OrderType.PREORDER


def test_cancelling_gives_back_stock_wave_units_and_the_promo_use(placed):
    order, tee, hoodie, promo = placed
    order_cancel(order=order, by=order.user)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert_given_back(order, tee, hoodie, promo)


def test_cancelling_twice_gives_back_once(placed):
    order, tee, hoodie, promo = placed
    order_cancel(order=order, by=order.user)
    with pytest.raises(OrderNotCancellable):
        order_cancel(order=Order.objects.get(pk=order.pk), by=order.user)
    with pytest.raises(OrderNotCancellable):
        order_cancel(order=order, by=order.user)
    assert_given_back(order, tee, hoodie, promo)


def test_a_paid_order_cannot_be_cancelled(placed):
    order, tee, *_ = placed
    assert order_mark_paid(order=order, payment_id="pay-1")
    with pytest.raises(OrderNotCancellable) as caught:
        order_cancel(order=order, by=order.user)
    assert caught.value.status == 409
    assert stock_of(tee) == 3


def test_a_cancelled_payment_cancels_the_order_and_gives_back_once(placed):
    order, tee, hoodie, promo = placed
    assert order_payment_canceled(order=order) is True
    assert order_payment_canceled(order=order) is False
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.status, fresh.payment_status) == (OrderStatus.CANCELLED, PaymentStatus.CANCELED)
    assert_given_back(order, tee, hoodie, promo)


def test_expiring_cancels_only_orders_unpaid_past_the_timeout(placed, settings, user):
    settings.ORDER_PAYMENT_TIMEOUT = 30
    order, tee, hoodie, promo = placed
    fresh_order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}],
    )
    paid_order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}],
    )
    order_mark_paid(order=paid_order)
    Order.objects.filter(pk__in=[order.pk, paid_order.pk]).update(
        created_at=timezone.now() - timedelta(minutes=31)
    )
    assert order_expire_unpaid() == 1
    assert order_expire_unpaid() == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert Order.objects.get(pk=fresh_order.pk).status == OrderStatus.PENDING
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID
    assert stock_of(tee) == 3  # 5 - 1 (fresh) - 1 (paid)
    assert wave_counts(hoodie) == [3, 0]
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 0


def test_expire_uses_the_given_clock(placed, settings):
    settings.ORDER_PAYMENT_TIMEOUT = 30
    order, *_ = placed
    assert order_expire_unpaid(now=timezone.now() + timedelta(minutes=29)) == 0
    # The fixture placed two orders: both lapse.
    assert order_expire_unpaid(now=timezone.now() + timedelta(minutes=31)) == 2


def test_the_expire_command_expires_stale_orders(placed, settings, capsys):
    settings.ORDER_PAYMENT_TIMEOUT = 30
    order, tee, hoodie, promo = placed
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=1))
    call_command("expire_unpaid_orders")
    assert "1" in capsys.readouterr().out
    assert_given_back(order, tee, hoodie, promo)


def test_the_expire_command_repeats_on_its_schedule(placed, settings, monkeypatch, capsys):
    settings.ORDER_PAYMENT_TIMEOUT = 30
    order, tee, hoodie, promo = placed
    naps = []

    def nap(seconds):
        # Between two rounds the order grows stale: the next round expires it.
        naps.append(seconds)
        Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=1))

    monkeypatch.setattr("config.periodic.time.sleep", nap)
    call_command("expire_unpaid_orders", "--every", "60", "--times", "2")
    assert naps == [60]
    rounds = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Expired")]
    assert rounds[0].startswith("Expired 0 ") and rounds[1].startswith("Expired 1 ")
    assert_given_back(order, tee, hoodie, promo)


def test_mark_paid_happens_once(user):
    order = OrderFactory(user=user)
    assert order_mark_paid(order=order, payment_id="pay-1") is True
    assert order_mark_paid(order=order, payment_id="pay-2") is False
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.status, fresh.payment_status, fresh.payment_id) == (
        OrderStatus.PAID,
        PaymentStatus.SUCCEEDED,
        "pay-1",
    )
    assert fresh.paid_at is not None


def test_a_cancelled_order_cannot_be_paid(placed):
    order, *_ = placed
    order_cancel(order=order, by=order.user)
    assert order_mark_paid(order=order) is False
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def test_refund_only_from_paid_orders(user):
    pending = OrderFactory(user=user)
    assert order_mark_refunded(order=pending) is False
    paid = OrderFactory(user=user, status=OrderStatus.PAID)
    assert order_mark_refunded(order=paid) is True
    assert order_mark_refunded(order=paid) is False
    fresh = Order.objects.get(pk=paid.pk)
    assert (fresh.status, fresh.payment_status) == (OrderStatus.REFUNDED, PaymentStatus.REFUNDED)


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (OrderStatus.PENDING, OrderStatus.PAID, True),
        (OrderStatus.PENDING, OrderStatus.CANCELLED, True),
        (OrderStatus.PENDING, OrderStatus.SHIPPED, False),
        (OrderStatus.PAID, OrderStatus.PROCESSING, True),
        (OrderStatus.PAID, OrderStatus.CANCELLED, False),
        (OrderStatus.PROCESSING, OrderStatus.SHIPPED, True),
        (OrderStatus.SHIPPED, OrderStatus.DELIVERED, True),
        (OrderStatus.SHIPPED, OrderStatus.PENDING, False),
        (OrderStatus.DELIVERED, OrderStatus.REFUNDED, True),
        (OrderStatus.CANCELLED, OrderStatus.PAID, False),
        (OrderStatus.REFUNDED, OrderStatus.PAID, False),
    ],
)
def test_transitions(user, source, target, allowed):
    order = OrderFactory(user=user, status=source)
    assert order.can_transition_to(target) is allowed
    if allowed:
        assert order_set_status(order=order, status=target, by=None).status == target
        assert Order.objects.get(pk=order.pk).status == target
    else:
        with pytest.raises(InvalidTransition) as caught:
            order_set_status(order=order, status=target, by=None)
        assert caught.value.code == "invalid_transition" and caught.value.status == 409
        assert Order.objects.get(pk=order.pk).status == source


def test_every_status_has_its_transitions():
    assert set(ALLOWED_TRANSITIONS) == set(OrderStatus.values)
    assert not ALLOWED_TRANSITIONS[OrderStatus.CANCELLED] and not ALLOWED_TRANSITIONS[OrderStatus.REFUNDED]


def test_staff_cancelling_through_status_gives_units_back(placed):
    order, tee, hoodie, promo = placed
    order_set_status(order=order, status=OrderStatus.CANCELLED, by=None)
    assert_given_back(order, tee, hoodie, promo)


def test_an_unknown_status_is_refused(user):
    with pytest.raises(InvalidTransition):
        order_set_status(order=OrderFactory(user=user), status="lost", by=None)


def test_tracking_number_ships_the_order_and_tells_the_customer(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("orders.notifications.sms_enqueue", lambda *, phone, text: sent.append((phone, text)))
    order = OrderFactory(user=user, status=OrderStatus.PAID)
    order_set_tracking(order=order, tracking_number=" CDEK123 ", by=None)
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.status, fresh.tracking_number) == (OrderStatus.SHIPPED, "CDEK123")
    assert fresh.shipped_at is not None
    assert sent == [(user.phone, order_shipped_text(fresh))]
    assert "CDEK123" in sent[0][1]


def test_each_shipment_entry_of_the_timeline_keeps_its_own_tracking_number(user, monkeypatch):
    from orders.selectors import order_queryset, order_timeline

    monkeypatch.setattr("orders.notifications.sms_enqueue", lambda *, phone, text: None)
    order = OrderFactory(user=user, status=OrderStatus.PAID)
    order_set_tracking(order=order, tracking_number="CDEK1", by=None)
    order_set_tracking(order=order, tracking_number="CDEK2", by=None)  # corrected
    order.events.update(message="Отправлен")  # the wording of an entry does not carry the number
    numbers = [e.tracking_number for e in order_timeline(order_queryset().get(pk=order.pk)) if e.tracking_number]
    assert numbers == ["CDEK1", "CDEK2"]


def test_tracking_number_needs_a_paid_order(user):
    order = OrderFactory(user=user)
    with pytest.raises(InvalidTransition):
        order_set_tracking(order=order, tracking_number="CDEK1", by=None)
    with pytest.raises(OrderInvalid):
        order_set_tracking(order=OrderFactory(user=user, status=OrderStatus.PAID), tracking_number="  ", by=None)


def test_amounts_stay_decimal(placed):
    order, *_ = placed
    fresh = Order.objects.get(pk=order.pk)
    assert isinstance(fresh.final_amount, Decimal)


def test_refunding_a_yookassa_payment_goes_through_the_refund(user, monkeypatch):
    refunded = []

    def refund(*, order, by):
        refunded.append((order.pk, by))
        order_mark_refunded(order=order)
        return Order.objects.get(pk=order.pk)

    monkeypatch.setattr("orders.services.staff.order_refund", refund)
    order = OrderFactory(
        user=user, status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED, payment_id="p-1"
    )
    staff = UserFactory(is_staff=True)
    assert order_set_status(order=order, status=OrderStatus.REFUNDED, by=staff).status == OrderStatus.REFUNDED
    assert refunded == [(order.pk, staff)]  # the refund is the staff member's
    with pytest.raises(InvalidTransition):
        order_set_status(order=OrderFactory(user=user, payment_id="p-2"), status=OrderStatus.REFUNDED, by=staff)
    assert refunded == [(order.pk, staff)]


def test_staff_update_ships_with_the_tracking_number_then_applies_the_status(user, monkeypatch):
    sent = []
    monkeypatch.setattr("orders.notifications.sms_enqueue", lambda *, phone, text: sent.append(text))
    shipped = order_staff_update(
        order=OrderFactory(user=user, status=OrderStatus.PAID), status="shipped", tracking_number="CDEK7", by=None
    )
    assert (shipped.status, shipped.tracking_number, len(sent)) == (OrderStatus.SHIPPED, "CDEK7", 1)
    delivered = order_staff_update(
        order=OrderFactory(user=user, status=OrderStatus.PAID),
        status="delivered",
        tracking_number="CDEK8",
        by=None,
    )
    fresh = Order.objects.get(pk=delivered.pk)
    assert (fresh.status, fresh.tracking_number, fresh.shipped_at is not None) == (
        OrderStatus.DELIVERED,
        "CDEK8",
        True,
    )


def test_staff_update_refuses_what_the_lifecycle_refuses(user):
    order = OrderFactory(user=user)
    with pytest.raises(InvalidTransition):
        order_staff_update(order=order, status="delivered", by=None)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING
