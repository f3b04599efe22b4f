"""Promo codes over the API: staff CRUD with a read-only use count; anyone previews a code on a cart."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from orders.services import order_place
from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db

CODES = "/api/v1/promo-codes/"
VALIDATE = "/api/v1/promo-codes/validate/"


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


# --- Staff CRUD -----------------------------------------------------------------------------------------------------
def test_staff_create_a_code_stored_upper_case(staff_client):
    product = ProductFactory()
    response = staff_client.post(
        CODES,
        {"code": " summer ", "discount_percent": 15, "max_uses": 10, "products": [product.pk], "current_uses": 7},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["discount_percent"], body["discount_amount"]) == ("SUMMER", 15, None)
    assert body["current_uses"] == 0
    assert body["products"] == [product.pk]


def test_a_fixed_discount_code(staff_client):
    response = staff_client.post(CODES, {"code": "MINUS500", "discount_amount": "500.00"}, format="json")
    assert response.status_code == 201
    assert response.json()["discount_amount"] == "500.00"


@pytest.mark.parametrize(
    "payload",
    [
        {"code": "BOTH", "discount_percent": 10, "discount_amount": "100.00"},
        {"code": "NONE"},
        {"code": "ZERO", "discount_percent": 0},
        {"code": "MUCH", "discount_percent": 101},
        {"code": "NEG", "discount_amount": "-5.00"},
        {"code": "", "discount_percent": 5},
        {
            "code": "WINDOW",
            "discount_percent": 5,
            "valid_from": "2026-06-02T00:00:00Z",
            "valid_until": "2026-06-01T00:00:00Z",
        },
    ],
)
def test_invalid_codes_are_a_400(staff_client, payload):
    assert staff_client.post(CODES, payload, format="json").status_code == 400
    assert not PromoCode.objects.exists()


def test_codes_are_unique_whatever_the_case(staff_client):
    PromoCodeFactory(code="SALE")
    response = staff_client.post(CODES, {"code": "sale", "discount_percent": 5}, format="json")
    assert response.status_code == 400
    assert PromoCode.objects.count() == 1


def test_current_uses_cannot_be_written(staff_client):
    promo = PromoCodeFactory(current_uses=2, max_uses=5)
    response = staff_client.patch(f"{CODES}{promo.pk}/", {"current_uses": 0, "description": "Лето"}, format="json")
    assert response.status_code == 200
    promo.refresh_from_db()
    assert (promo.current_uses, promo.description) == (2, "Лето")


def test_the_limit_cannot_go_below_the_uses(staff_client):
    promo = PromoCodeFactory(current_uses=3, max_uses=5)
    assert staff_client.patch(f"{CODES}{promo.pk}/", {"max_uses": 2}, format="json").status_code == 400


def test_switching_kind_needs_clearing_the_other(staff_client):
    promo = PromoCodeFactory(discount_percent=10)
    assert (
        staff_client.patch(f"{CODES}{promo.pk}/", {"discount_amount": "50.00"}, format="json").status_code == 400
    )
    response = staff_client.patch(
        f"{CODES}{promo.pk}/", {"discount_amount": "50.00", "discount_percent": None}, format="json"
    )
    assert response.status_code == 200


def test_used_codes_are_kept(staff_client, user):
    product = ProductFactory(stock={"M": 5})
    used, unused = PromoCodeFactory(), PromoCodeFactory()
    order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1}],
        promo_code=used.code,
    )
    assert staff_client.delete(f"{CODES}{used.pk}/").status_code == 409
    assert staff_client.delete(f"{CODES}{unused.pk}/").status_code == 204
    assert list(PromoCode.objects.values_list("pk", flat=True)) == [used.pk]


def test_customers_cannot_manage_codes(user_client, api_client):
    promo = PromoCodeFactory()
    assert user_client.get(CODES).status_code == 403
    assert user_client.post(CODES, {"code": "X", "discount_percent": 5}, format="json").status_code == 403
    assert user_client.patch(f"{CODES}{promo.pk}/", {"is_active": False}, format="json").status_code == 403
    assert api_client.get(CODES).status_code == 401


def test_staff_list_codes(staff_client):
    PromoCodeFactory.create_batch(3)
    body = staff_client.get(CODES).json()
    assert body["count"] == 3


# --- Validate -----------------------------------------------------------------------------------------------------
@pytest.fixture
def cart():
    tee = ProductFactory(price=Decimal("1000.00"), stock={"M": 5})
    cap = ProductFactory(price=Decimal("333.33"), stock={"M": 5})
    return (
        tee,
        cap,
        [{"product": tee.pk, "size": "M", "quantity": 2}, {"product": cap.pk, "size": "M", "quantity": 1}],
    )


def test_anyone_previews_a_code_without_using_it(api_client, cart):
    *_, items = cart
    promo = PromoCodeFactory(code="TEN", discount_percent=10, max_uses=1)
    response = api_client.post(VALIDATE, {"code": "ten", "items": items}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    # 10% of 2333.33 = 233.333 → 233.33
    assert (body["discount_amount"], body["total_amount"], body["final_amount"]) == (
        "233.33",
        "2333.33",
        "2100.00",
    )
    promo.refresh_from_db()
    assert promo.current_uses == 0


def test_preview_of_a_restricted_code(api_client, cart):
    tee, cap, items = cart
    promo = PromoCodeFactory(discount_percent=None, discount_amount=Decimal("500.00"))
    promo.products.set([cap])
    body = api_client.post(VALIDATE, {"code": promo.code, "items": items}, format="json").json()
    assert (body["valid"], body["discount_amount"], body["final_amount"]) == (True, "333.33", "2000.00")


@pytest.mark.parametrize(
    ("promo_kwargs", "code"),
    [
        ({"is_active": False}, "promo_inactive"),
        ({"valid_until": timezone.now() - timedelta(minutes=1)}, "promo_expired"),
        ({"valid_from": timezone.now() + timedelta(days=1)}, "promo_not_started"),
        ({"max_uses": 3, "current_uses": 3}, "promo_used_up"),
    ],
)
def test_a_code_that_does_not_apply_says_why(api_client, cart, promo_kwargs, code):
    *_, items = cart
    promo = PromoCodeFactory(**promo_kwargs)
    response = api_client.post(VALIDATE, {"code": promo.code, "items": items}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["valid"], body["code"]) == (False, code)
    assert body["detail"]
    assert (body["discount_amount"], body["final_amount"]) == ("0.00", body["total_amount"])


def test_unknown_and_inapplicable_codes(api_client, cart):
    *_, items = cart
    assert (
        api_client.post(VALIDATE, {"code": "NOPE", "items": items}, format="json").json()["code"]
        == "promo_unknown"
    )
    promo = PromoCodeFactory()
    promo.products.set([ProductFactory()])
    body = api_client.post(VALIDATE, {"code": promo.code, "items": items}, format="json").json()
    assert (body["valid"], body["code"]) == (False, "promo_not_applicable")


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"code": "X"},
        {"code": "X", "items": []},
        {"code": "X", "items": "abc"},
        {"code": "X", "items": [{"product": 999999, "size": "M", "quantity": 1}]},
        {"code": "X", "items": [{"product": "abc", "size": "M", "quantity": 1}]},
        {"code": "X", "items": [{"product": 1, "size": "M", "quantity": 0}]},
    ],
)
def test_bad_carts_are_a_400(api_client, payload):
    PromoCodeFactory(code="X")
    assert api_client.post(VALIDATE, payload, format="json").status_code == 400


def test_a_refusal_names_the_field_at_fault(staff_client):
    promo = PromoCodeFactory(current_uses=3, max_uses=5)
    response = staff_client.patch(f"{CODES}{promo.pk}/", {"max_uses": 2}, format="json")
    assert "лимит не может быть меньше" in str(response.json()["max_uses"])
