"""order_place: lines, stock per size, waves, promo codes, amounts, numbering — all or nothing."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.errors import InvalidQuantity, InvalidSize, ItemsInvalid, OutOfStock, ProductUnavailable
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from config.errors import ConflictError, DomainError
from orders.models import Order, OrderStatus, PaymentStatus
from orders.notifications import order_paid_text
from orders.services import order_place
from orders.tests.helpers import stock_of, wave_counts
from preorders.errors import WaveCapacityExceeded
from preorders.models import PreorderStatus, PreorderWave
from preorders.tests.factories import PreorderProductFactory
from promos.models import PromoCode
from promos.services import PromoCodeRejected
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(monkeypatch):
    """Records the payments started after commit."""
    calls = []
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: calls.append(order_id))
    return calls


# --- Lines ------------------------------------------------------------------------------------------------------
def test_places_an_order_reserving_stock_per_size(user, django_capture_on_commit_callbacks, started):
    product = ProductFactory(price=Decimal("3490.00"), stock={"S": 2, "M": 5})
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product, "size": "M", "quantity": 3}],
        )
    assert stock_of(product, "M") == 2
    assert stock_of(product, "S") == 2
    assert order.status == OrderStatus.PENDING
    assert order.payment_status == PaymentStatus.PENDING
    assert order.total_amount == Decimal("10470.00")
    assert order.final_amount == Decimal("10470.00")
    item = order.items.get()
    assert (item.size, item.quantity, item.price, item.is_preorder, item.preorder_wave) == (
        "M",
        3,
        Decimal("3490.00"),
        False,
        None,
    )
    assert started == [order.pk]


def test_order_number_is_human_readable_and_unique(user):
    product = ProductFactory(stock={"M": 5})
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
    year = timezone.localdate().year
    assert re.fullmatch(rf"DWC-{year}-\d{{6}}", first.order_number)
    assert first.order_number != second.order_number
    assert Order.objects.get(pk=first.pk).order_number == first.order_number


def test_price_comes_from_the_database_not_the_line(user):
    product = ProductFactory(price=Decimal("100.00"), stock={"M": 5})
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1, "price": "1.00"}],
    )
    assert order.total_amount == Decimal("100.00")


def test_duplicate_lines_are_merged(user):
    product = ProductFactory(stock={"M": 5})
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[
            {"product": product.pk, "size": "M", "quantity": 2},
            {"product": product.pk, "size": "M", "quantity": 1},
        ],
    )
    assert [(i.size, i.quantity) for i in order.items.all()] == [("M", 3)]
    assert stock_of(product, "M") == 2


def test_product_without_sizes_has_one_size(user):
    product = ProductFactory(sizes=[], stock={"ONE SIZE": 2})
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "ONE SIZE", "quantity": 2}],
    )
    assert order.items.get().size == "ONE SIZE"
    assert stock_of(product, "ONE SIZE") == 0


@pytest.mark.parametrize("quantity", [0, -1, "abc", 1.5, None, True, 10**12, 101])
def test_quantity_must_be_a_sane_whole_number(user, quantity):
    product = ProductFactory(stock={"M": 5})
    with pytest.raises(InvalidQuantity) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": quantity}],
        )
    assert caught.value.status == 400
    assert stock_of(product, "M") == 5


def test_merged_lines_cannot_pass_the_line_maximum(user, settings):
    settings.ORDER_MAX_LINE_QUANTITY = 3
    product = ProductFactory(stock={"M": 10})
    with pytest.raises(InvalidQuantity):
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[
                {"product": product.pk, "size": "M", "quantity": 2},
                {"product": product.pk, "size": "M", "quantity": 2},
            ],
        )


def test_too_many_lines_are_refused(user, settings):
    settings.ORDER_MAX_LINES = 2
    product = ProductFactory(stock={"S": 5, "M": 5, "L": 5})
    with pytest.raises(ItemsInvalid) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": s, "quantity": 1} for s in ("S", "M", "L")],
        )
    assert caught.value.code == "too_many_lines"


@pytest.mark.parametrize("lines", [[], None, "x", [1], [{"size": "M", "quantity": 1}]])
def test_missing_or_malformed_lines_are_refused(user, lines):
    with pytest.raises(ItemsInvalid):
        order_place(delivery_address="Москва, ул. Тверская, 1", user=user, items=lines)


def test_size_must_be_one_of_the_products_sizes(user):
    product = ProductFactory(stock={"M": 5})
    with pytest.raises(InvalidSize) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "XXL", "quantity": 1}],
        )
    assert caught.value.code == "invalid_size"


@pytest.mark.parametrize("hidden", [{"is_active": False}, {"is_archived": True}])
def test_hidden_products_cannot_be_ordered(user, hidden):
    product = ProductFactory(stock={"M": 5}, **hidden)
    with pytest.raises(ProductUnavailable) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
        )
    assert caught.value.code == "product_unavailable"
    assert stock_of(product, "M") == 5


@pytest.mark.parametrize("product_id", [999999, 10**30, "abc", -3])
def test_unknown_products_are_refused(user, product_id):
    with pytest.raises(ProductUnavailable):
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product_id, "size": "M", "quantity": 1}],
        )


# --- Stock ------------------------------------------------------------------------------------------------------
def test_refusal_names_every_short_line_and_takes_nothing(user):
    tee = ProductFactory(name="Футболка", stock={"S": 1, "M": 3})
    hoodie = ProductFactory(name="Худи", stock={"L": 0})
    with pytest.raises(OutOfStock) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[
                {"product": tee.pk, "size": "S", "quantity": 1},
                {"product": tee.pk, "size": "M", "quantity": 5},
                {"product": hoodie.pk, "size": "L", "quantity": 1},
            ],
        )
    error = caught.value
    assert isinstance(error, ConflictError) and error.status == 409
    assert error.code == "insufficient_stock"
    assert "осталось 3 шт." in error.message and "осталось 0 шт." in error.message
    assert error.extra["available"] == 3
    assert [(line["product"], line["size"], line["available"]) for line in error.extra["lines"]] == [
        (tee.pk, "M", 3),
        (hoodie.pk, "L", 0),
    ]
    assert stock_of(tee, "S") == 1 and stock_of(tee, "M") == 3
    assert not Order.objects.exists()


def test_a_size_without_a_stock_row_has_no_stock(user):
    product = ProductFactory(stock={"M": 5})
    with pytest.raises(OutOfStock) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "L", "quantity": 1}],
        )
    assert caught.value.extra["available"] == 0


def test_the_last_units_sell_out_exactly(user):
    product = ProductFactory(stock={"M": 2})
    order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 2}],
    )
    assert stock_of(product, "M") == 0
    with pytest.raises(OutOfStock):
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
        )
    assert stock_of(product, "M") == 0


# --- Preorder waves ----------------------------------------------------------------------------------------------
def test_preorder_units_fill_the_current_wave(user):
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 2}],
    )
    item = order.items.get()
    assert item.is_preorder and item.preorder_wave.wave_number == 1
    assert wave_counts(product) == [2, 0, 0]
    assert list(PreorderStatus.objects.filter(order=order).values_list("wave__wave_number", flat=True)) == [1]


def test_a_line_is_split_over_consecutive_waves(user):
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 3}],
    )
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "L", "quantity": 9}],
    )
    assert [(i.preorder_wave.wave_number, i.quantity, i.size) for i in order.items.all()] == [
        (1, 2, "L"),
        (2, 5, "L"),
        (3, 2, "L"),
    ]
    assert wave_counts(product) == [5, 5, 2]
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.PREORDER
    assert order.total_amount == product.price * 9


def test_sizes_of_one_preorder_product_share_the_waves(user):
    product = PreorderProductFactory(preorder_waves_total=1, preorder_wave_capacity=5)
    with pytest.raises(WaveCapacityExceeded) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[
                {"product": product.pk, "size": "M", "quantity": 3},
                {"product": product.pk, "size": "L", "quantity": 3},
            ],
        )
    assert caught.value.extra["available"] == 5
    order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[
            {"product": product.pk, "size": "M", "quantity": 3},
            {"product": product.pk, "size": "L", "quantity": 2},
        ],
    )
    assert wave_counts(product) == [5]


def test_filling_the_last_wave_turns_the_product_waiting(user):
    product = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5)
    order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 10}],
    )
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.WAITING
    with pytest.raises(WaveCapacityExceeded) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
        )
    assert caught.value.code == "waves_full" and caught.value.status == 409
    assert caught.value.extra["available"] == 0


def test_more_than_all_waves_hold_is_refused_saying_how_many_are_left(user):
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 12}],
    )
    with pytest.raises(WaveCapacityExceeded) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 4}],
        )
    assert "осталось 3 шт." in caught.value.message
    assert caught.value.extra["available"] == 3
    assert wave_counts(product) == [5, 5, 2]


def test_a_waiting_product_refuses_preorders(user):
    product = PreorderProductFactory(order_type=Product.OrderType.WAITING)
    with pytest.raises(WaveCapacityExceeded):
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
        )
    assert wave_counts(product) == [0, 0, 0]


def test_waves_not_collecting_take_no_units(user):
    product = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5)
    PreorderWave.objects.filter(product=product, wave_number=1).update(status="production")
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1}],
    )
    assert order.items.get().preorder_wave.wave_number == 2


def test_mixed_stock_and_wave_shortages_are_named_in_one_refusal(user):
    tee = ProductFactory(name="Футболка", stock={"M": 1})
    hoodie = PreorderProductFactory(name="Худи", preorder_waves_total=1, preorder_wave_capacity=2)
    with pytest.raises(ConflictError) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[
                {"product": tee.pk, "size": "M", "quantity": 2},
                {"product": hoodie.pk, "size": "M", "quantity": 3},
            ],
        )
    assert caught.value.code == "insufficient_stock"
    assert "осталось 1 шт." in caught.value.message and "осталось 2 шт." in caught.value.message
    assert [line["code"] for line in caught.value.extra["lines"]] == ["insufficient_stock", "waves_full"]


# --- Promo codes --------------------------------------------------------------------------------------------------
def test_a_percent_code_rounds_half_up_to_the_kopeck_and_counts_a_use(user):
    product = ProductFactory(price=Decimal("0.05"), stock={"M": 5})
    promo = PromoCodeFactory(code="HALF", discount_percent=10)
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1}],
        promo_code="half",
    )
    # 10% of 0.05 is 0.005: half a kopeck rounds up.
    assert order.discount_amount == Decimal("0.01")
    assert order.final_amount == Decimal("0.04")
    assert order.promo_code == promo
    promo.refresh_from_db()
    assert promo.current_uses == 1


def test_a_restricted_code_discounts_only_its_products(user):
    tee = ProductFactory(price=Decimal("1000.00"), stock={"M": 5})
    cap = ProductFactory(price=Decimal("500.00"), stock={"M": 5})
    promo = PromoCodeFactory(discount_percent=20)
    promo.products.set([cap])
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}, {"product": cap.pk, "size": "M", "quantity": 1}],
        promo_code=promo.code,
    )
    assert order.total_amount == Decimal("1500.00")
    assert order.discount_amount == Decimal("100.00")
    assert order.final_amount == Decimal("1400.00")


def test_a_fixed_restricted_code_is_capped_by_its_lines(user):
    tee = ProductFactory(price=Decimal("1000.00"), stock={"M": 5})
    cap = ProductFactory(price=Decimal("300.00"), stock={"M": 5})
    promo = PromoCodeFactory(discount_percent=None, discount_amount=Decimal("500.00"))
    promo.products.set([cap])
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}, {"product": cap.pk, "size": "M", "quantity": 1}],
        promo_code=promo.code,
    )
    assert order.discount_amount == Decimal("300.00")
    assert order.final_amount == Decimal("1000.00")


def test_a_fixed_code_never_makes_the_total_negative(user, django_capture_on_commit_callbacks, started):
    product = ProductFactory(price=Decimal("300.00"), stock={"M": 5})
    promo = PromoCodeFactory(discount_percent=None, discount_amount=Decimal("1000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
            promo_code=promo.code,
        )
    assert order.discount_amount == Decimal("300.00")
    assert order.final_amount == Decimal("0.00")
    # Nothing to pay: paid at once, no payment started.
    assert order.status == OrderStatus.PAID
    assert order.payment_status == PaymentStatus.SUCCEEDED
    assert order.paid_at is not None
    assert started == []


def test_a_hundred_percent_code_pays_the_order_at_once(
    user, django_capture_on_commit_callbacks, started, sms_outbox
):
    product = ProductFactory(stock={"M": 5})
    PromoCodeFactory(code="FREE", discount_percent=100)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
            promo_code="free",
        )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert started == []
    # The customer hears it is paid, as after any payment.
    assert [(m.phone, m.text) for m in sms_outbox] == [(user.phone, order_paid_text(order))]


@pytest.mark.parametrize(
    ("promo_kwargs", "code"),
    [
        ({"is_active": False}, "promo_inactive"),
        ({"valid_until": timezone.now() - timezone.timedelta(days=1)}, "promo_expired"),
        ({"valid_from": timezone.now() + timezone.timedelta(days=1)}, "promo_not_started"),
        ({"max_uses": 2, "current_uses": 2}, "promo_used_up"),
    ],
)
def test_codes_that_cannot_be_used_are_refused_with_the_reason(user, promo_kwargs, code):
    product = ProductFactory(stock={"M": 5})
    promo = PromoCodeFactory(**promo_kwargs)
    with pytest.raises(PromoCodeRejected) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
            promo_code=promo.code,
        )
    assert caught.value.code == code and caught.value.status == 400
    assert stock_of(product, "M") == 5
    assert not Order.objects.exists()


def test_an_unknown_code_is_refused(user):
    product = ProductFactory(stock={"M": 5})
    with pytest.raises(PromoCodeRejected) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
            promo_code="NOPE",
        )
    assert caught.value.code == "promo_unknown"


def test_a_code_for_other_products_is_not_applicable(user):
    product = ProductFactory(stock={"M": 5})
    promo = PromoCodeFactory()
    promo.products.set([ProductFactory()])
    with pytest.raises(PromoCodeRejected) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
            promo_code=promo.code,
        )
    assert caught.value.code == "promo_not_applicable"


def test_the_last_use_of_a_code_goes_once(user):
    product = ProductFactory(stock={"M": 5})
    promo = PromoCodeFactory(max_uses=1)
    order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1}],
        promo_code=promo.code,
    )
    with pytest.raises(PromoCodeRejected) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
            promo_code=promo.code,
        )
    assert caught.value.code == "promo_used_up"
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 1
    assert stock_of(product, "M") == 4


def test_blank_promo_code_means_no_code(user):
    product = ProductFactory(stock={"M": 5})
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1}],
        promo_code="  ",
    )
    assert order.promo_code is None and order.discount_amount == 0


def test_total_minus_discount_is_final(user):
    product = ProductFactory(price=Decimal("3333.33"), stock={"M": 5})
    PromoCodeFactory(code="P7", discount_percent=7)
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 3}],
        promo_code="p7",
    )
    assert order.total_amount == Decimal("9999.99")
    assert order.discount_amount == Decimal("700.00")
    assert order.total_amount - order.discount_amount == order.final_amount


# --- Speed ------------------------------------------------------------------------------------------------------
def test_placing_an_order_makes_a_bounded_number_of_queries(user, django_assert_max_num_queries):
    tee = ProductFactory(stock={"M": 500, "L": 500})
    hoodie = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=200)
    promo = PromoCodeFactory()
    lines = [
        {"product": tee.pk, "size": "M", "quantity": 1},
        {"product": tee.pk, "size": "L", "quantity": 1},
        {"product": hoodie.pk, "size": "M", "quantity": 1},
    ]

    def queries_for_one_order():
        with CaptureQueriesContext(connection) as captured:
            order_place(delivery_address="Москва, ул. Тверская, 1", user=user, items=lines, promo_code=promo.code)
        return len(captured)

    # The customer's first order also keeps its address in their profile (once); count from the second.
    order_place(delivery_address="Москва, ул. Тверская, 1", user=user, items=lines, promo_code=promo.code)
    first = queries_for_one_order()
    for _ in range(20):
        order_place(delivery_address="Москва, ул. Тверская, 1", user=user, items=lines, promo_code=promo.code)
    assert queries_for_one_order() == first
    with django_assert_max_num_queries(20):
        order_place(delivery_address="Москва, ул. Тверская, 1", user=user, items=lines, promo_code=promo.code)


def test_anonymous_users_cannot_place_orders():
    from django.contrib.auth.models import AnonymousUser

    product = ProductFactory(stock={"M": 5})
    with pytest.raises(DomainError):
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=AnonymousUser(),
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
        )


def test_a_waiting_product_is_refused_naming_every_short_line(user):
    tee = ProductFactory(name="Футболка", stock={"M": 1, "L": 9})
    hoodie = PreorderProductFactory(name="Худи", order_type=Product.OrderType.WAITING)
    with pytest.raises(ConflictError) as caught:
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[
                {"product": tee.pk, "size": "M", "quantity": 2},
                {"product": tee.pk, "size": "L", "quantity": 2},
                {"product": hoodie.pk, "size": "M", "quantity": 1},
            ],
        )
    assert caught.value.code == "insufficient_stock"
    assert [(line["product"], line["size"], line["available"]) for line in caught.value.extra["lines"]] == [
        (tee.pk, "M", 1),
        (hoodie.pk, "M", 0),
    ]
    assert stock_of(tee, "L") == 9
    assert not Order.objects.exists()


def test_the_size_may_be_left_out_only_for_a_single_size_product(user):
    bag = ProductFactory(sizes=[], stock={"ONE SIZE": 2})
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1", user=user, items=[{"product": bag.pk, "quantity": 1}]
    )
    assert order.items.get().size == "ONE SIZE"
    tee = ProductFactory(stock={"M": 2})
    with pytest.raises(InvalidSize):
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": tee.pk, "size": "", "quantity": 1}],
        )


def test_placing_remembers_the_first_delivery_details_for_every_channel():
    from accounts.tests.factories import UserFactory

    customer = UserFactory(address="", cdek_point="")
    product = ProductFactory(stock={"M": 5})
    order_place(
        user=customer, items=[{"product": product, "size": "M", "quantity": 1}], delivery_address="Казань, 5"
    )
    customer.refresh_from_db()
    assert customer.address == "Казань, 5"
    order_place(user=customer, items=[{"product": product, "size": "M", "quantity": 1}], delivery_address="Уфа, 1")
    customer.refresh_from_db()
    assert customer.address == "Казань, 5"  # an address already kept is not overwritten
