"""Each order line stores its share of the discount when the order is placed; everything else reads it."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from catalog.tests.factories import ProductFactory
from config.money import split_by_largest_remainder
from orders import payments
from orders.models import OrderItem, OrderStatus
from orders.services import order_place, order_refund, order_refund_plan
from orders.tests.factories import OrderFactory, OrderItemFactory
from orders.tests.helpers import order_pay, stock_of
from preorders.tests.factories import PreorderProductFactory
from promos.tests.factories import PromoCodeFactory

ADDRESS = "Москва, ул. Тверская, 1"


def test_split_by_largest_remainder_adds_up_and_gives_ties_to_earlier_places():
    assert split_by_largest_remainder(10000, [10000, 10000, 10000]) == [3334, 3333, 3333]
    assert split_by_largest_remainder(7, [0, 5, 0, 5]) == [0, 4, 0, 3]
    assert split_by_largest_remainder(0, [1, 2]) == [0, 0]
    assert split_by_largest_remainder(5, [0, 0]) == [0, 0]
    for amount in (1, 99, 64701):
        assert sum(split_by_largest_remainder(amount, [333333, 7, 1000, 1])) == amount


def _amounts(order):
    return [(item.discount_amount, item.final_amount) for item in order.items.order_by("id")]


def test_placing_stores_each_lines_share_of_the_discount(user, settings):
    settings.DELIVERY_FLAT_AMOUNT = "390.00"
    tee = ProductFactory(price=Decimal("100.00"), stock={"M": 9})
    cap = ProductFactory(price=Decimal("100.00"), stock={"M": 9})
    socks = ProductFactory(price=Decimal("100.00"), stock={"M": 9})
    PromoCodeFactory(code="THIRD", discount_percent=None, discount_amount=Decimal("100.00"))
    items = [{"product": product.pk, "size": "M", "quantity": 1} for product in (tee, cap, socks)]
    order = order_place(user=user, items=items, delivery_address=ADDRESS, promo_code="THIRD")
    assert _amounts(order) == [
        (Decimal("33.34"), Decimal("66.66")),
        (Decimal("33.33"), Decimal("66.67")),
        (Decimal("33.33"), Decimal("66.67")),
    ]
    assert sum(final for _, final in _amounts(order)) == order.final_amount - order.delivery_amount


def test_a_restricted_code_stores_its_discount_on_its_products_lines_only(user):
    tee = ProductFactory(price=Decimal("1000.00"), stock={"M": 9})
    hoodie = ProductFactory(price=Decimal("500.00"), stock={"M": 9})
    promo = PromoCodeFactory(code="HOODIE5", discount_percent=5)
    promo.products.set([hoodie])
    items = [{"product": tee.pk, "size": "M", "quantity": 1}, {"product": hoodie.pk, "size": "M", "quantity": 1}]
    order = order_place(user=user, items=items, delivery_address=ADDRESS, promo_code="hoodie5")
    assert _amounts(order) == [(Decimal("0.00"), Decimal("1000.00")), (Decimal("25.00"), Decimal("475.00"))]
    values = [item["amount"]["value"] for item in payments.receipt_items(order=order)]
    assert values[:2] == ["1000.00", "475.00"]


def test_a_preorder_line_split_over_waves_shares_its_discount_by_units(user):
    hoodie = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=2, price=Decimal("1000.00"))
    PromoCodeFactory(code="TEN", discount_percent=10)
    order = order_place(
        user=user,
        items=[{"product": hoodie.pk, "size": "M", "quantity": 3}],
        delivery_address=ADDRESS,
        promo_code="TEN",
    )
    rows = list(order.items.order_by("id").values_list("quantity", "discount_amount", "final_amount"))
    assert rows == [(2, Decimal("200.00"), Decimal("1800.00")), (1, Decimal("100.00"), Decimal("900.00"))]


def test_refunds_read_the_stored_amounts(user, fake_yookassa, settings):
    """A line's stored sum is what its units refund for, whatever the code's terms say now."""
    settings.DELIVERY_FLAT_AMOUNT = "0"
    tee = ProductFactory(price=Decimal("1000.00"), stock={"M": 9})
    promo = PromoCodeFactory(code="TEN", discount_percent=10)
    order = order_place(
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 3}],
        delivery_address=ADDRESS,
        promo_code="TEN",
    )
    promo.discount_percent = 50  # a later change of the code changes no placed order
    promo.save()
    order_pay(order, fake_yookassa)
    [line] = order.items.all()
    plan = order_refund_plan(order=order, items=[(line.pk, 1)])
    assert plan.amount == 90000  # kopecks: one unit of 2700 after 10 %
    order = order_refund(order=order, items=[(line.pk, 1)], by=None)
    assert (order.refunded_amount, order.net_amount) == (Decimal("900.00"), Decimal("1800.00"))
    assert stock_of(tee) == 7


def test_the_migration_fills_existing_lines_from_their_orders_amounts(db):
    migration = importlib.import_module("orders.migrations.0008_order_item_amounts")
    order = OrderFactory(total_amount=Decimal("300.00"), discount_amount=Decimal("100.00"))
    for _ in range(3):
        OrderItemFactory(order=order, price=Decimal("100.00"), quantity=1, final_amount=Decimal("0"))
    hand_made = OrderFactory(total_amount=Decimal("500.00"))  # its lines say 50
    OrderItemFactory(order=hand_made, price=Decimal("50.00"), quantity=1, final_amount=Decimal("0"))
    migration.fill_item_amounts(apps, None)
    assert [final for _, final in _amounts(order)] == [Decimal("66.66"), Decimal("66.67"), Decimal("66.67")]
    assert _amounts(hand_made) == [(Decimal("0.00"), Decimal("50.00"))]
    assert hand_made.priced_items() is None  # receipted and refunded as one whole


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.CANCELLED])
def test_an_unpaid_order_has_paid_nothing_net(db, status):
    order = OrderFactory(status=status)
    assert order.net_amount == Decimal("0.00")
    assert OrderItem.objects.count() == 0
