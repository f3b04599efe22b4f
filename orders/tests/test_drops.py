"""Drops at order time: per-customer caps on products and promo codes, the payment window per product, wave ship
dates on the order, back-in-stock alerts when units come back."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import ProductStock
from catalog.services import product_set_stock
from catalog.tests.factories import ProductFactory
from config.errors import DomainError
from orders.models import Order, OrderStatus
from orders.services import order_cancel, order_expire_unpaid, order_mark_paid, order_place
from preorders.models import PreorderWave, WaitlistEntry
from preorders.services import waitlist_join
from preorders.tests.factories import PreorderProductFactory
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


def buy(user, product, quantity=1, size="M", **kwargs):
    return order_place(
        delivery_address="Москва",
        user=user,
        items=[{"product": product.pk, "size": size, "quantity": quantity}],
        **kwargs,
    )


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value


# --- max_per_customer -----------------------------------------------------------------------------------------------
def test_a_cap_counts_every_live_order_and_says_how_many_more(user):
    product = ProductFactory(name="Худи", stock={"M": 50, "L": 50}, max_per_customer=3)
    buy(user, product, 1)
    buy(user, product, 1, size="L")
    error = refusal(lambda: buy(user, product, 2))
    assert (error.code, error.status, error.extra["available"]) == ("customer_limit", 409, 1)
    assert "не больше 3 шт. в одни руки: можно заказать ещё 1 шт." in error.message
    buy(user, product, 1)
    error = refusal(lambda: buy(user, product, 1))
    assert error.extra["available"] == 0 and "больше заказать нельзя" in error.message
    # Another customer has their own allowance; the refused orders took nothing.
    buy(UserFactory(), product, 3)
    assert ProductStock.objects.get(product=product, size="M").quantity == 50 - 2 - 3


def test_cancelled_orders_give_their_allowance_back_paid_ones_do_not(user):
    product = ProductFactory(stock={"M": 50}, max_per_customer=2)
    first, second = buy(user, product), buy(user, product)
    order_mark_paid(order=second)
    order_cancel(order=first, by=user)
    buy(user, product)
    assert refusal(lambda: buy(user, product)).code == "customer_limit"


def test_a_cap_adds_up_the_sizes_of_one_order(user):
    product = ProductFactory(stock={"M": 5, "L": 5}, max_per_customer=2)
    items = [
        {"product": product.pk, "size": "M", "quantity": 1},
        {"product": product.pk, "size": "L", "quantity": 2},
    ]
    assert refusal(lambda: order_place(delivery_address="Москва", user=user, items=items)).extra["available"] == 2


def test_a_cap_holds_for_preorders_too(user):
    product = PreorderProductFactory(max_per_customer=2, preorder_wave_capacity=10)
    buy(user, product, 2)
    assert refusal(lambda: buy(user, product)).code == "customer_limit"
    assert sum(PreorderWave.objects.filter(product=product).values_list("current_count", flat=True)) == 2


def test_caps_cost_two_queries_and_nothing_without_one(user):
    plain = ProductFactory(stock={"M": 50})
    capped = ProductFactory(stock={"M": 50}, max_per_customer=10)
    buy(user, plain), buy(user, capped)

    def queries(product):
        with CaptureQueriesContext(connection) as captured:
            buy(user, product)
        return [q["sql"] for q in captured]

    assert len(queries(capped)) == len(queries(plain)) + 2  # the customer's lock and the count of their units


# --- Promo codes per customer ---------------------------------------------------------------------------------------
def test_a_first_order_code_works_on_the_first_live_order_only(user):
    product = ProductFactory(stock={"M": 50})
    PromoCodeFactory(code="WELCOME10", discount_percent=10, first_order_only=True)
    first = buy(user, product, promo_code="welcome10")
    assert first.discount_amount > 0
    error = refusal(lambda: buy(user, product, promo_code="WELCOME10"))
    assert (error.code, error.message) == ("promo_first_order_only", "Промокод действует только на первый заказ.")
    # A cancelled first order does not count: the code works again.
    order_cancel(order=first, by=user)
    assert buy(user, product, promo_code="WELCOME10").discount_amount > 0


def test_a_first_order_code_is_refused_after_any_order_even_without_a_code(user):
    product = ProductFactory(stock={"M": 50})
    PromoCodeFactory(code="HELLO", first_order_only=True)
    order_mark_paid(order=buy(user, product))
    assert refusal(lambda: buy(user, product, promo_code="HELLO")).code == "promo_first_order_only"


def test_a_code_limited_per_customer(user):
    product = ProductFactory(stock={"M": 50})
    promo = PromoCodeFactory(code="TWICE", max_uses_per_customer=2)
    buy(user, product, promo_code="TWICE"), buy(user, product, promo_code="TWICE")
    error = refusal(lambda: buy(user, product, promo_code="TWICE"))
    assert error.code == "promo_customer_limit" and "максимальное число раз" in error.message
    buy(UserFactory(), product, promo_code="TWICE")
    promo.refresh_from_db()
    assert promo.current_uses == 3


# --- Payment window ---------------------------------------------------------------------------------------------------
def test_an_order_takes_the_shortest_payment_timeout_of_its_products(user, settings):
    settings.ORDER_PAYMENT_TIMEOUT = 30
    quick = ProductFactory(stock={"M": 5}, payment_timeout=10)
    slow = ProductFactory(stock={"M": 5}, payment_timeout=20)
    plain = ProductFactory(stock={"M": 5})
    before = timezone.now()
    order = order_place(
        delivery_address="Москва",
        user=user,
        items=[{"product": p.pk, "size": "M", "quantity": 1} for p in (quick, slow, plain)],
    )
    assert timedelta(minutes=10) <= order.pay_by - before < timedelta(minutes=10, seconds=5)
    assert buy(user, plain).pay_by - before >= timedelta(minutes=30)
    # A product's timeout only ever shortens the shop's.
    assert buy(user, ProductFactory(stock={"M": 5}, payment_timeout=90)).pay_by - before < timedelta(minutes=31)


def test_expiry_gives_a_quick_drop_back_after_its_own_timeout(user, settings):
    settings.ORDER_PAYMENT_TIMEOUT = 30
    drop = ProductFactory(stock={"M": 5}, payment_timeout=10)
    order = buy(user, drop, 2)
    assert order_expire_unpaid(now=timezone.now() + timedelta(minutes=9)) == 0
    assert order_expire_unpaid(now=timezone.now() + timedelta(minutes=11)) == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert ProductStock.objects.get(product=drop, size="M").quantity == 5


# --- Wave ship dates --------------------------------------------------------------------------------------------------
def test_the_order_and_its_timeline_say_when_the_wave_ships(user, api_client):
    product = PreorderProductFactory(preorder_wave_capacity=5)
    PreorderWave.objects.filter(product=product, wave_number=1).update(ships_on="2026-12-27")
    order = buy(user, product)
    assert order.preorder_statuses.get().status_message == (
        "Заказ принят в волну 1 предзаказа. Отправка ожидается 27 декабря 2026."
    )
    api_client.force_authenticate(user)
    body = api_client.get(f"/api/v1/orders/{order.order_number}/").json()
    assert body["items"][0]["ships_on"] == "2026-12-27" and body["pay_by"]


# --- Back in stock ----------------------------------------------------------------------------------------------------
def test_a_cancelled_order_brings_a_size_back_and_its_waitlist_hears_once(
    user, sms_outbox, django_capture_on_commit_callbacks
):
    product = ProductFactory(name="Худи", stock={"M": 1, "L": 3})
    order = buy(user, product)
    waitlist_join(product=product, phone="+79160000001", size="M")
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, by=user)
    assert [m.phone for m in sms_outbox] == ["+79160000001"]
    assert sms_outbox[0].text.startswith("DWC Shop: «Худи», размер M, снова в наличии: http")
    # Sold out and back again: the request was told already, nothing is sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=buy(user, product), by=user)
    assert len(sms_outbox) == 1
    assert WaitlistEntry.objects.get().notified_at is not None


def test_staff_restocking_a_size_tells_its_waitlist(sms_outbox, django_capture_on_commit_callbacks):
    product = ProductFactory(stock={"M": 0, "L": 0})
    waitlist_join(product=product, phone="+79160000003", size="M")
    waitlist_join(product=product, phone="+79160000004", size="L")
    with django_capture_on_commit_callbacks(execute=True):
        product_set_stock(product=product, stock={"M": 4})
    assert [m.phone for m in sms_outbox] == ["+79160000003"]
    with django_capture_on_commit_callbacks(execute=True):
        product_set_stock(product=product, stock={"M": 6})  # more of a size already on hand: nobody new to tell
    assert len(sms_outbox) == 1


def test_the_waitlist_takes_only_sold_out_sizes_and_waiting_drops(user):
    product = ProductFactory(stock={"M": 2, "L": 0})
    assert refusal(lambda: waitlist_join(product=product, phone="+79160000005", size="M")).code == (
        "waitlist_not_needed"
    )
    assert refusal(lambda: waitlist_join(product=product, phone="+79160000005", size="XXL")).code == "invalid_size"
    entry = waitlist_join(product=product, phone="8 916 000-00-05", size="L")
    assert (
        entry.phone == "+79160000005" and waitlist_join(product=product, phone="+79160000005", size="L") == entry
    )
    preorder = PreorderProductFactory()
    assert refusal(lambda: waitlist_join(product=preorder, phone="+79160000005")).code == "waitlist_not_needed"
