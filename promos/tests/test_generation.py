"""promo_generate: N unique codes with a template's terms."""

from decimal import Decimal
from unittest import mock

import pytest

from catalog.tests.factories import ProductFactory
from promos import services
from promos.models import PromoCode
from promos.services import PromoCodeRejected, promo_generate
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db


def test_codes_copy_the_fixed_discount_and_start_unused():
    template = PromoCodeFactory(
        discount_percent=None, discount_amount=Decimal("300.00"), max_uses=None, current_uses=7
    )
    codes = promo_generate(template=template, prefix="", count=3)
    assert len(codes) == 3
    for code in PromoCode.objects.filter(pk__in=[c.pk for c in codes]):
        assert code.discount_amount == Decimal("300.00") and code.discount_percent is None
        assert code.current_uses == 0 and code.max_uses is None
        assert len(code.code) == 8 and set(code.code) <= set(services.PROMO_CODE_ALPHABET)


def test_codes_never_repeat_an_existing_one_whatever_the_case():
    template = PromoCodeFactory()
    PromoCodeFactory(code="VIP-AAAAAAAA")
    # The random part first collides with an existing code, then with itself, then comes out fresh.
    draws = iter("A" * 8 + "A" * 8 + "B" * 8 + "C" * 8)
    with mock.patch.object(services.secrets, "choice", lambda alphabet: next(draws)):
        codes = promo_generate(template=template, prefix="vip", count=2)
    assert sorted(c.code for c in codes) == ["VIP-BBBBBBBB", "VIP-CCCCCCCC"]


@pytest.mark.parametrize("prefix, count", [("", 0), ("", 1001), ("ПРОМО", 1), ("A B", 1), ("X" * 21, 1)])
def test_refusals(prefix, count):
    template = PromoCodeFactory()
    with pytest.raises(PromoCodeRejected):
        promo_generate(template=template, prefix=prefix, count=count)
    assert PromoCode.objects.count() == 1


def test_template_may_be_a_dict_of_terms():
    product = ProductFactory()
    codes = promo_generate(
        template={"discount_percent": 20, "max_uses": 1, "products": [product.pk]}, prefix="GIFT", count=2
    )
    assert [c.discount_percent for c in codes] == [20, 20]
    assert all(list(c.products.all()) == [product] for c in codes)
    assert all(c.is_active and c.max_uses == 1 for c in codes)


def test_template_needs_one_kind_of_discount():
    with pytest.raises(PromoCodeRejected):
        promo_generate(template={"discount_percent": 10, "discount_amount": Decimal("5")}, prefix="", count=1)
    assert not PromoCode.objects.exists()
