from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from orders.models import Order
from orders.tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


def test_final_amount_is_total_minus_discount():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderFactory(
            total_amount=Decimal("100.00"), discount_amount=Decimal("10.00"), final_amount=Decimal("95.00")
        )


def test_kopecks_are_kept_exactly_and_a_kopeck_off_is_refused():
    order = OrderFactory(
        total_amount=Decimal("3490.10"), discount_amount=Decimal("100.05"), final_amount=Decimal("3390.05")
    )
    stored = Order.objects.get(pk=order.pk)
    assert (stored.total_amount, stored.discount_amount, stored.final_amount) == (
        Decimal("3490.10"),
        Decimal("100.05"),
        Decimal("3390.05"),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderFactory(
            total_amount=Decimal("3490.10"), discount_amount=Decimal("100.05"), final_amount=Decimal("3390.06")
        )


def test_amounts_are_never_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderFactory(total_amount=Decimal("100.00"), discount_amount=Decimal("150.00"))


def test_order_numbers_are_unique():
    OrderFactory(order_number="DWC-2026-000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderFactory(order_number="DWC-2026-000001")


def test_item_quantity_is_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItemFactory(quantity=0)


def test_preorder_item_names_its_wave():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItemFactory(is_preorder=True, preorder_wave=None)
