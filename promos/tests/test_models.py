from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db


def test_code_is_stored_upper_case_and_unique_whatever_the_case():
    assert PromoCodeFactory(code=" drop15 ").code == "DROP15"
    with pytest.raises(IntegrityError), transaction.atomic():
        PromoCode.objects.bulk_create([PromoCode(code="Drop15", discount_percent=5)])


@pytest.mark.parametrize(
    ("percent", "amount"),
    [(10, Decimal("100")), (None, None)],
    ids=["both kinds", "no kind"],
)
def test_exactly_one_kind_of_discount(percent, amount):
    with pytest.raises(IntegrityError), transaction.atomic():
        PromoCodeFactory(discount_percent=percent, discount_amount=amount)


@pytest.mark.parametrize("percent", [0, 101])
def test_percent_is_between_1_and_100(percent):
    with pytest.raises(IntegrityError), transaction.atomic():
        PromoCodeFactory(discount_percent=percent)


def test_uses_never_exceed_max_uses():
    promo = PromoCodeFactory(max_uses=2, current_uses=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        PromoCode.objects.filter(pk=promo.pk).update(current_uses=F("current_uses") + 1)


def test_unlimited_code_counts_freely():
    promo = PromoCodeFactory(max_uses=None)
    PromoCode.objects.filter(pk=promo.pk).update(current_uses=F("current_uses") + 1000)
    promo.refresh_from_db()
    assert promo.current_uses == 1000
