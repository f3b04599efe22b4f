"""A week of orders whose figures are computed by hand in the tests (period 2026-11-01 … 2026-11-07, MSK)."""

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from catalog.models import Product
from catalog.tests.factories import ProductFactory
from orders.models import Order
from orders.tests.factories import OrderFactory, OrderItemFactory
from preorders.models import WaveStatus
from preorders.tests.factories import PreorderProductFactory
from promos.tests.factories import PromoCodeFactory

MSK = ZoneInfo("Europe/Moscow")


def msk(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MSK)


def make_order(status, created_at, lines, *, discount="0.00", promo=None):
    total = sum((Decimal(price) * qty for _, price, qty in lines), Decimal("0.00"))
    order = OrderFactory(
        status=status,
        total_amount=total,
        discount_amount=Decimal(discount),
        final_amount=total - Decimal(discount),
        promo_code=promo,
    )
    for product, price, qty in lines:
        OrderItemFactory(order=order, product=product, price=Decimal(price), quantity=qty)
    # created_at is set on insert; the dataset needs it on given moments.
    Order.objects.filter(pk=order.pk).update(created_at=created_at)
    return order


@pytest.fixture
def week(db):
    S = Order.Status
    a = ProductFactory(name="Худи A", article="A-1", price=Decimal("2500.00"))
    b = ProductFactory(name="Футболка B", article="B-1", price=Decimal("750.00"))
    c = ProductFactory(name="Кепка C", article="C-1", price=Decimal("1200.00"))
    d = ProductFactory(name="Носки D", article="D-1", price=Decimal("800.00"))
    sale10 = PromoCodeFactory(code="SALE10", discount_percent=10, current_uses=2, max_uses=100)
    fix200 = PromoCodeFactory(
        code="FIX200", discount_percent=None, discount_amount=Decimal("200.00"), current_uses=1
    )
    orders = SimpleNamespace(
        o1=make_order(S.PAID, msk(1, 10), [(a, "2500.00", 2)], discount="500.00", promo=sale10),
        o2=make_order(S.SHIPPED, msk(2, 12), [(b, "750.00", 4)]),
        # 23:30 in Moscow is still 2 November (20:30 UTC).
        o3=make_order(S.DELIVERED, msk(2, 23, 30), [(a, "2500.00", 1)]),
        o4=make_order(S.PENDING, msk(3, 9), [(b, "750.00", 1)]),
        o5=make_order(S.CANCELLED, msk(4, 9), [(a, "2500.00", 1)], discount="250.00", promo=sale10),
        o6=make_order(S.REFUNDED, msk(5, 9), [(b, "750.00", 2)]),
        o7=make_order(S.PROCESSING, msk(7, 23, 59), [(c, "1200.00", 1)], discount="200.00", promo=fix200),
        # After the period in Moscow although still 7 November in UTC.
        o8=make_order(S.PAID, msk(8, 0, 30), [(a, "2500.00", 4)]),
        # Before the period.
        o9=make_order(S.PAID, msk(31, 23, month=10), [(a, "2500.00", 1)]),
        # 1 November in Moscow although still 31 October in UTC.
        o10=make_order(S.PAID, msk(1, 0, 10), [(d, "800.00", 1)]),
    )
    preorder = PreorderProductFactory(
        name="Бомбер P", article="P-1", preorder_waves_total=3, preorder_wave_capacity=5
    )
    waves = list(preorder.waves.order_by("wave_number"))
    waves[0].current_count, waves[0].status = 5, WaveStatus.PRODUCTION
    waves[1].current_count = 2
    for wave in waves[:2]:
        wave.save()
    waiting = PreorderProductFactory(
        name="Анорак W",
        article="W-1",
        order_type=Product.OrderType.WAITING,
        preorder_waves_total=2,
        preorder_wave_capacity=4,
    )
    waiting.waves.update(current_count=4)
    # Neither an archived preorder product nor an in-stock one is part of the wave report.
    PreorderProductFactory(name="Старый", article="OLD-1", is_archived=True)
    return SimpleNamespace(orders=orders, a=a, b=b, c=c, d=d, preorder=preorder, waiting=waiting)
