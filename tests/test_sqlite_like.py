"""On SQLite, searches ignore the case of Cyrillic letters as they do on PostgreSQL."""

import pytest

from catalog.models import Product
from catalog.tests.factories import ProductFactory
from config.sqlite.base import unicode_like


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("%худи%", "Худи «Базовое»", True),
        ("%ХУДИ%", "худи", True),
        ("%ёж%", "ЁЖИК", True),
        ("%кепка%", "Худи", False),
        ("х_ди", "Худи", True),
        ("х_ди", "Хуууди", False),
        ("100\\%", "100%", True),
        ("100\\%", "1000", False),
        ("a.b", "axb", False),
    ],
)
def test_unicode_like(pattern, value, expected):
    assert unicode_like(pattern, value, "\\") is expected


def test_null_is_no_match():
    assert unicode_like("%x%", None) is None


@pytest.mark.django_db
def test_icontains_finds_cyrillic_in_any_case():
    hoodie = ProductFactory(name="Худи «Базовое» чёрное")
    ProductFactory(name="Кепка")
    assert list(Product.objects.filter(name__icontains="ХУДИ")) == [hoodie]
    assert list(Product.objects.filter(name__icontains="чЁрное")) == [hoodie]


@pytest.mark.django_db
def test_admin_search_finds_cyrillic_in_any_case(staff):
    hoodie = ProductFactory(name="Худи «Базовое»")
    ProductFactory(name="Кепка")
    response = staff.get("/admin/catalog/product/", {"q": "худи"})
    assert list(response.context["cl"].result_list) == [hoodie]
