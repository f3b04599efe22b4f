"""One rule decides what a cart or checkout costs and whether it is accepted: previews (`order_preview`,
`promo-codes/validate/`) say what `order_place` will do, per customer."""

from decimal import Decimal

import pytest

from catalog.tests.factories import ProductFactory
from conftest import client_for
from drops.errors import CustomerLimitExceeded
from orders.services import order_place, order_preview, order_promo_validate
from promos.services import PromoCodeRejected
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db

ADDRESS = "Москва, ул. Тверская, 1"
VALIDATE = "/api/v1/promo-codes/validate/"


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


@pytest.fixture
def tee():
    return ProductFactory(price=Decimal("6490.00"), stock={"M": 10})


@pytest.fixture
def welcome():
    return PromoCodeFactory(code="WELCOME10", discount_percent=10, first_order_only=True)


def _items(product, quantity=1):
    return [{"product": product.pk, "size": "M", "quantity": quantity}]


def test_a_first_order_code_is_refused_in_the_preview_as_at_checkout_for_a_returning_customer(user, tee, welcome):
    assert order_preview(user=user, items=_items(tee), promo_code="welcome10").pricing.discount == Decimal(
        "649.00"
    )
    order_place(user=user, items=_items(tee), delivery_address=ADDRESS)
    quote = order_preview(user=user, items=_items(tee), promo_code="WELCOME10")
    assert quote.promo_refusal.code == "promo_first_order_only"
    assert (quote.pricing.discount, quote.pricing.final) == (Decimal("0.00"), Decimal("6490.00"))
    with pytest.raises(PromoCodeRejected) as refused:
        order_place(user=user, items=_items(tee), delivery_address=ADDRESS, promo_code="WELCOME10")
    assert refused.value.code == quote.promo_refusal.code


def test_validate_answers_with_the_signed_in_customers_terms(user, tee, welcome, api_client):
    order_place(user=user, items=_items(tee), delivery_address=ADDRESS)
    body = {"code": "WELCOME10", "items": _items(tee)}
    anonymous = api_client.post(VALIDATE, body, format="json").json()
    assert anonymous["valid"] is True and anonymous["discount_amount"] == "649.00"
    signed_in = client_for(user).post(VALIDATE, body, format="json")
    assert signed_in.status_code == 200
    assert signed_in.json() == {
        "valid": False,
        "code": "promo_first_order_only",
        "detail": "Промокод действует только на первый заказ.",
        "discount_amount": "0.00",
        "total_amount": "6490.00",
        "final_amount": "6490.00",
    }


def test_validate_counts_no_use_and_rounds_half_up(tee):
    product = ProductFactory(price=Decimal("999.99"), stock={"S": 5})
    promo = PromoCodeFactory(code="P15", discount_percent=15, max_uses=1)
    answer = order_promo_validate(
        user=None, code="p15", items=[{"product": product.pk, "size": "S", "quantity": 3}]
    )
    # 15% of 2999.97 = 449.9955 → 450.00 (half up)
    assert answer == {
        "valid": True,
        "promo_code": "P15",
        "discount_amount": Decimal("450.00"),
        "total_amount": Decimal("2999.97"),
        "final_amount": Decimal("2549.97"),
    }
    promo.refresh_from_db()
    assert promo.current_uses == 0


def test_validate_answers_a_refused_code_with_the_undiscounted_totals(tee):
    answer = order_promo_validate(user=None, code="NOPE", items=_items(tee, 2))
    assert (answer["valid"], answer["code"]) == (False, "promo_unknown")
    assert (answer["total_amount"], answer["final_amount"]) == (Decimal("12980.00"), Decimal("12980.00"))


def test_a_fixed_discount_larger_than_the_cart_leaves_zero():
    product = ProductFactory(price=Decimal("100.00"), stock={"M": 1})
    PromoCodeFactory(code="BIG", discount_percent=None, discount_amount=Decimal("150.00"))
    pricing = order_preview(user=None, items=_items(product), promo_code="BIG").pricing
    assert (pricing.discount, pricing.final) == (Decimal("100.00"), Decimal("0.00"))


def test_the_quote_says_what_a_capped_product_has_left_for_the_customer(user):
    drop = ProductFactory(stock={"M": 10}, max_per_customer=2)
    order_place(user=user, items=_items(drop), delivery_address=ADDRESS)
    quote = order_preview(user=user, items=_items(drop, 3))
    [limit] = quote.over_limit
    assert (limit.limit, limit.available) == (2, 1)
    with pytest.raises(CustomerLimitExceeded) as refused:
        order_place(user=user, items=_items(drop, 3), delivery_address=ADDRESS)
    assert refused.value.extra["available"] == 1
    assert order_preview(user=user, items=_items(drop, 1)).over_limit == []
