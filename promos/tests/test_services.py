"""Promo code rules at the service level: finding a code, the discount, counting and giving back uses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from promos.models import PromoCode
from promos.services import (
    PromoCodeRejected,
    promo_check,
    promo_code_create,
    promo_code_update,
    promo_draft,
    promo_find,
    promo_release,
    promo_use,
)
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db


def test_codes_are_found_whatever_the_case_and_spaces():
    promo = PromoCodeFactory(code="Summer")
    assert promo_find(code="  sUmMeR ") == promo


@pytest.mark.parametrize("code", ["", "   ", None, 42])
def test_nothing_is_no_code(code):
    with pytest.raises(PromoCodeRejected) as caught:
        promo_find(code=code)
    assert caught.value.code == "promo_unknown"


def test_the_window_edges():
    now = timezone.now()
    promo = PromoCodeFactory(valid_from=now, valid_until=now + timedelta(days=1))
    assert promo_find(code=promo.code, now=now) == promo
    with pytest.raises(PromoCodeRejected) as caught:
        promo_find(code=promo.code, now=now + timedelta(days=1))
    assert caught.value.code == "promo_expired"
    with pytest.raises(PromoCodeRejected) as caught:
        promo_find(code=promo.code, now=now - timedelta(seconds=1))
    assert caught.value.code == "promo_not_started"


def test_uses_are_counted_up_to_the_limit_and_given_back_never_below_zero():
    promo = PromoCodeFactory(max_uses=1)
    promo_use(promo=promo)
    with pytest.raises(PromoCodeRejected):
        promo_use(promo=promo)
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 1
    promo_release(promo_id=promo.pk)
    promo_release(promo_id=promo.pk)
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 0


def test_unlimited_codes_count_every_use():
    promo = PromoCodeFactory(max_uses=None)
    for _ in range(3):
        promo_use(promo=promo)
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 3


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"code": " ", "discount_percent": 5}, "code", "promo_code_required"),
        ({"code": "sale", "discount_percent": 5}, "code", "promo_code_taken"),
        ({"code": "BOTH", "discount_percent": 5, "discount_amount": Decimal("10")}, "discount_percent", None),
        ({"code": "NONE"}, "discount_percent", "promo_discount_invalid"),
        ({"code": "MUCH", "discount_percent": 101}, "discount_percent", "promo_percent_invalid"),
        ({"code": "NEG", "discount_amount": Decimal("-1")}, "discount_amount", "promo_amount_invalid"),
        ({"code": "LIMIT", "discount_percent": 5, "max_uses": 1, "current_uses": 2}, "max_uses", None),
    ],
)
def test_promo_check_names_the_field_at_fault(data, field, code):
    PromoCodeFactory(code="SALE")
    with pytest.raises(PromoCodeRejected) as caught:
        promo_check(promo=PromoCode(**data))
    assert caught.value.field == field
    assert code is None or caught.value.code == code


def test_promo_check_refuses_a_window_that_ends_before_it_starts():
    now = timezone.now()
    with pytest.raises(PromoCodeRejected) as caught:
        promo_check(promo=PromoCode(code="W", discount_percent=5, valid_from=now, valid_until=now))
    assert (caught.value.code, caught.value.field) == ("promo_window_invalid", "valid_until")


def test_a_code_keeps_its_own_spelling_free():
    promo = PromoCodeFactory(code="SALE", discount_percent=5)
    promo_check(promo=promo_draft(promo=promo, data={"code": "sale", "description": "Лето"}))


def test_writes_check_the_code():
    PromoCodeFactory(code="SALE")
    with pytest.raises(PromoCodeRejected):
        promo_code_create(data={"code": "Sale", "discount_percent": 5})
    promo = PromoCodeFactory(code="LIMIT", current_uses=3, max_uses=5)
    with pytest.raises(PromoCodeRejected):
        promo_code_update(promo=promo, data={"max_uses": 2})
    assert PromoCode.objects.get(pk=promo.pk).max_uses == 5
