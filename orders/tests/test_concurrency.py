"""Forty customers pressing "buy" in the same second, on PostgreSQL, each thread with its own connection.

Skipped (visibly) on SQLite, which serialises writers anyway; run with
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/dwc_orders .venv/bin/pytest orders/tests/test_concurrency.py`.
"""

import threading
from collections import Counter

import pytest
from django.db import connections

from accounts.tests.factories import UserFactory
from catalog.models import Product, ProductStock
from catalog.tests.factories import ProductFactory
from config.errors import DomainError
from orders.models import Order, OrderItem, OrderStatus
from orders.services import order_cancel, order_expire_unpaid, order_mark_paid, order_payment_canceled, order_place
from preorders.models import PreorderWave
from preorders.tests.factories import PreorderProductFactory
from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 40


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


def run_together(calls):
    """Run each call in its own thread, all released at once; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - every outcome is inspected by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a buyer never finished: a lock was never released"
    return results


def outcomes(results):
    """`ok` for placed orders, the domain error code for refusals; anything else is a bug and shows as such."""
    return Counter(
        "ok" if isinstance(r, Order) else r.code if isinstance(r, DomainError) else f"BUG {type(r).__name__}: {r}"
        for r in results
    )


def buyers(n=BUYERS):
    return [UserFactory() for _ in range(n)]


def test_forty_buyers_for_the_last_ten_units_buy_exactly_ten():
    product = ProductFactory(stock={"M": 10, "L": 3})
    calls = [
        lambda user=user: order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
        )
        for user in buyers()
    ]
    assert outcomes(run_together(calls)) == {"ok": 10, "insufficient_stock": 30}
    assert ProductStock.objects.get(product=product, size="M").quantity == 0
    assert ProductStock.objects.get(product=product, size="L").quantity == 3
    assert sum(OrderItem.objects.filter(product=product).values_list("quantity", flat=True)) == 10


def test_forty_buyers_fill_three_waves_of_five_and_the_product_turns_waiting():
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    calls = [
        lambda user=user, size=size: order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": size, "quantity": 1}],
        )
        for user, size in zip(buyers(), ["S", "M", "L", "M"] * 10, strict=True)
    ]
    assert outcomes(run_together(calls)) == {"ok": 15, "waves_full": 25}
    assert list(
        PreorderWave.objects.filter(product=product)
        .order_by("wave_number")
        .values_list("current_count", flat=True)
    ) == [5, 5, 5]
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.WAITING
    per_wave = Counter(
        OrderItem.objects.filter(product=product).values_list("preorder_wave__wave_number", flat=True)
    )
    assert per_wave == {1: 5, 2: 5, 3: 5}


def test_buyers_asking_several_units_never_overfill_the_waves():
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    calls = [
        lambda user=user, quantity=quantity: order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": quantity}],
        )
        for user, quantity in zip(buyers(), [1, 2, 3, 4] * 10, strict=True)
    ]
    results = run_together(calls)
    assert set(outcomes(results)) <= {"ok", "waves_full"}
    taken = sum(OrderItem.objects.filter(product=product).values_list("quantity", flat=True))
    counts = list(PreorderWave.objects.filter(product=product).values_list("current_count", flat=True))
    assert sum(counts) == taken <= 15
    assert all(count <= 5 for count in counts)


def test_forty_orders_with_a_code_limited_to_five_uses_count_exactly_five():
    # Each buyer orders a product of their own, so the code's counter is the only row they share.
    products = [ProductFactory(stock={"M": 1}) for _ in range(BUYERS)]
    promo = PromoCodeFactory(code="FIVE", max_uses=5)
    calls = [
        lambda user=user, product=product: order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
            promo_code="five",
        )
        for user, product in zip(buyers(), products, strict=True)
    ]
    assert outcomes(run_together(calls)) == {"ok": 5, "promo_used_up": 35}
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 5
    assert Order.objects.filter(promo_code=promo).count() == 5
    # Refused orders took nothing.
    assert sum(ProductStock.objects.filter(product__in=products).values_list("quantity", flat=True)) == BUYERS - 5


def test_orders_naming_the_same_products_in_opposite_order_never_deadlock():
    first = ProductFactory(stock={"S": 1000, "M": 1000})
    second = ProductFactory(stock={"S": 1000, "M": 1000})
    wave_a = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=500)
    wave_b = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=500)
    forward = [
        {"product": first.pk, "size": "M", "quantity": 1},
        {"product": wave_a.pk, "size": "M", "quantity": 1},
        {"product": second.pk, "size": "S", "quantity": 1},
        {"product": wave_b.pk, "size": "M", "quantity": 1},
    ]
    backward = [
        {"product": wave_b.pk, "size": "M", "quantity": 1},
        {"product": second.pk, "size": "S", "quantity": 1},
        {"product": wave_a.pk, "size": "M", "quantity": 1},
        {"product": first.pk, "size": "M", "quantity": 1},
    ]
    users = buyers(2)
    placed = 0
    for _ in range(10):
        results = run_together(
            [
                lambda: order_place(delivery_address="Москва, ул. Тверская, 1", user=users[0], items=forward),
                lambda: order_place(delivery_address="Москва, ул. Тверская, 1", user=users[1], items=backward),
                lambda: order_place(delivery_address="Москва, ул. Тверская, 1", user=users[0], items=backward),
                lambda: order_place(delivery_address="Москва, ул. Тверская, 1", user=users[1], items=forward),
            ]
        )
        assert outcomes(results) == {"ok": 4}
        placed += 4
    assert ProductStock.objects.get(product=first, size="M").quantity == 1000 - placed
    assert ProductStock.objects.get(product=second, size="S").quantity == 1000 - placed
    assert sum(PreorderWave.objects.filter(product=wave_a).values_list("current_count", flat=True)) == placed


def test_in_stock_orders_naming_sizes_in_opposite_order_never_deadlock():
    first = ProductFactory(stock={"S": 1000, "M": 1000, "L": 1000})
    second = ProductFactory(stock={"S": 1000, "M": 1000})
    forward = [
        {"product": first.pk, "size": "S", "quantity": 1},
        {"product": first.pk, "size": "L", "quantity": 1},
        {"product": second.pk, "size": "M", "quantity": 1},
    ]
    backward = list(reversed(forward))
    users = buyers(4)
    for _ in range(15):
        results = run_together(
            [
                lambda user=user, lines=lines: order_place(
                    delivery_address="Москва, ул. Тверская, 1", user=user, items=lines
                )
                for user, lines in zip(users, [forward, backward, forward, backward], strict=True)
            ]
        )
        assert outcomes(results) == {"ok": 4}
    left = dict(ProductStock.objects.filter(product=first).values_list("size", "quantity"))
    assert left == {"S": 1000 - 60, "M": 1000, "L": 1000 - 60}
    # Cancelling in any order gives back without deadlocking either.
    orders = list(Order.objects.all())
    assert outcomes(
        run_together([lambda order=order: order_cancel(order=order, by=order.user) for order in orders])
    ) == {"ok": 60}
    assert dict(ProductStock.objects.filter(product=first).values_list("size", "quantity")) == {
        "S": 1000,
        "M": 1000,
        "L": 1000,
    }


def test_cancelling_and_expiring_at_once_give_back_exactly_what_was_taken(settings):
    settings.ORDER_PAYMENT_TIMEOUT = 0
    tee = ProductFactory(stock={"M": 30})
    hoodie = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=10)
    promo = PromoCodeFactory(max_uses=20)
    orders = [
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[
                {"product": tee.pk, "size": "M", "quantity": 2},
                {"product": hoodie.pk, "size": "L", "quantity": 2},
            ],
            promo_code=promo.code,
        )
        for user in buyers(10)
    ]
    hoodie.refresh_from_db()
    assert hoodie.order_type == Product.OrderType.WAITING
    assert ProductStock.objects.get(product=tee, size="M").quantity == 10
    calls = []
    for order in orders:
        calls += [
            lambda order=order: order_cancel(order=order, by=order.user),
            lambda order=order: order_payment_canceled(order=order),
        ]
    calls += [order_expire_unpaid] * 4
    results = run_together(calls)
    bugs = [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    assert not bugs
    assert Order.objects.filter(status=OrderStatus.CANCELLED).count() == 10
    assert ProductStock.objects.get(product=tee, size="M").quantity == 30
    assert list(PreorderWave.objects.filter(product=hoodie).values_list("current_count", flat=True)) == [0, 0]
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 0
    hoodie.refresh_from_db()
    assert hoodie.order_type == Product.OrderType.PREORDER


def test_a_payment_and_a_cancel_racing_settle_one_way():
    tee = ProductFactory(stock={"M": 20})
    orders = [
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": tee.pk, "size": "M", "quantity": 1}],
        )
        for user in buyers(20)
    ]
    calls = []
    for order in orders:
        calls += [
            lambda order=order: order_mark_paid(order=order),
            lambda order=order: order_cancel(order=order, by=order.user),
        ]
    run_together(calls)
    paid = Order.objects.filter(status=OrderStatus.PAID).count()
    cancelled = Order.objects.filter(status=OrderStatus.CANCELLED).count()
    assert paid + cancelled == 20
    # Each cancelled order gave its unit back once; paid ones kept theirs.
    assert ProductStock.objects.get(product=tee, size="M").quantity == cancelled


def test_buying_and_cancelling_at_once_never_oversells():
    tee = ProductFactory(stock={"M": 5})
    users = buyers(30)
    first = [
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": tee.pk, "size": "M", "quantity": 1}],
        )
        for user in users[:5]
    ]
    calls = [lambda order=order: order_cancel(order=order, by=order.user) for order in first]
    calls += [
        lambda user=user: order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": tee.pk, "size": "M", "quantity": 1}],
        )
        for user in users[5:]
    ]
    results = run_together(calls)
    sold = Order.objects.filter(status=OrderStatus.PENDING).count()
    assert sold == sum(1 for r in results[5:] if isinstance(r, Order)) <= 5
    assert ProductStock.objects.get(product=tee, size="M").quantity == 5 - sold
