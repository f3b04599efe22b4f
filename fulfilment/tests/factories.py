"""Orders ready for CDEK: paid, with a pickup point or a courier address, and items with weights."""

from decimal import Decimal

from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus, PaymentStatus
from orders.services import order_transition
from orders.tests.factories import OrderFactory, OrderItemFactory


def paid_order(*, items: int = 1, product=None, **fields):
    """A paid order to a Moscow pickup point (or as `fields` say) with `items` lines of one unit each."""
    defaults = {
        "status": OrderStatus.PAID,
        "payment_status": PaymentStatus.SUCCEEDED,
        "delivery_method": "cdek_pickup",
        "cdek_point": "MSK65",
    }
    order = OrderFactory(**{**defaults, **fields})
    for _ in range(items):
        OrderItemFactory(
            order=order, product=product or ProductFactory(weight_grams=400), price=Decimal("2490.00")
        )
    return order


def delivered_order(**fields):
    """A paid order that CDEK delivered just now (its timeline says when)."""
    order = paid_order(**fields)
    order_transition(order=order, to=OrderStatus.SHIPPED, changes={"tracking_number": "1106000001"})
    order_transition(order=order, to=OrderStatus.DELIVERED)
    return order
