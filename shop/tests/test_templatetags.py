from decimal import Decimal

import pytest

from shop.templatetags.shop_tags import pluralize_ru, rub


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("4990"), "4 990 ₽"),
        (Decimal("4990.00"), "4 990 ₽"),
        (Decimal("14990.5"), "14 990,50 ₽"),
        (Decimal("1250000.05"), "1 250 000,05 ₽"),
        (Decimal("0"), "0 ₽"),
        (Decimal("999"), "999 ₽"),
        ("2490.00", "2 490 ₽"),
        (None, ""),
        ("abc", ""),
    ],
)
def test_rub_formats_rubles_with_regular_spaces(value, text):
    assert rub(value) == text


@pytest.mark.parametrize(
    ("count", "word"),
    [(1, "товар"), (2, "товара"), (5, "товаров"), (11, "товаров"), (21, "товар"), (104, "товара")],
)
def test_pluralize_ru(count, word):
    assert pluralize_ru(count, "товар,товара,товаров") == word
