from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from config.money import from_kopecks, kopecks, split_by_largest_remainder
from orders.models import Order, OrderItem


class OrderFactory(factory.django.DjangoModelFactory):
    """A bare pending order row (no stock reserved): for reads, admin and analytics tests.

    Tests of ordering rules place orders through `orders.services.order_place` instead.
    """

    class Meta:
        model = Order

    user = factory.SubFactory(UserFactory)
    order_number = factory.Sequence(lambda n: f"DWC-2026-{n + 900000:06d}")
    total_amount = Decimal("2490.00")
    discount_amount = Decimal("0.00")
    final_amount = factory.LazyAttribute(lambda o: o.total_amount - o.discount_amount)


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    size = "M"
    quantity = 1
    price = Decimal("2490.00")


def order_discount_spread(order: Order) -> Order:
    """Give a hand-built order's lines their shares of its discount, as placing writes them (every line
    eligible, largest remainder): for tests that build orders row by row."""
    items = list(order.items.order_by("id"))
    weights = [kopecks(item.line_total) for item in items]
    shares = split_by_largest_remainder(kopecks(order.discount_amount), weights)
    for item, share in zip(items, shares, strict=True):
        item.discount_amount = from_kopecks(share)
        item.final_amount = item.line_total - item.discount_amount
    OrderItem.objects.bulk_update(items, ["discount_amount", "final_amount"])
    return order
