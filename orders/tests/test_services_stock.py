"""Stock movements of orders (catalog.services, section "Stock movements")."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from catalog.models import ProductStock
from catalog.services import stock_lock, stock_release, stock_take
from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def left(product):
    return dict(ProductStock.objects.filter(product=product).values_list("size", "quantity"))


def test_one_size_is_taken_by_a_conditional_update():
    product = ProductFactory(stock={"M": 3})
    assert stock_take(quantities={(product.pk, "M"): 2}) == {}
    assert stock_take(quantities={(product.pk, "M"): 2}) == {(product.pk, "M"): 1}
    assert left(product) == {"M": 1}


def test_several_sizes_are_all_checked_before_anything_is_taken():
    product = ProductFactory(stock={"S": 1, "M": 5, "L": 0})
    short = stock_take(
        quantities={(product.pk, "S"): 2, (product.pk, "M"): 1, (product.pk, "L"): 1, (product.pk, "XL"): 1}
    )
    assert short == {(product.pk, "S"): 1, (product.pk, "L"): 0, (product.pk, "XL"): 0}
    assert left(product) == {"S": 1, "M": 5, "L": 0}
    assert stock_take(quantities={(product.pk, "S"): 1, (product.pk, "M"): 5}) == {}
    assert left(product) == {"S": 0, "M": 0, "L": 0}


def test_release_gives_units_back():
    product = ProductFactory(stock={"S": 0, "M": 1})
    stock_release(quantities={(product.pk, "M"): 2})
    stock_release(quantities={(product.pk, "S"): 1, (product.pk, "M"): 1})
    assert left(product) == {"S": 1, "M": 4}


def test_lock_reads_only_the_asked_sizes():
    product = ProductFactory(stock={"S": 1, "M": 2})
    assert {key: row.quantity for key, row in stock_lock(keys=[(product.pk, "M")]).items()} == {
        (product.pk, "M"): 2
    }
    assert stock_lock(keys=[]) == {}


def test_the_database_refuses_negative_stock():
    product = ProductFactory(stock={"M": 1})
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductStock.objects.filter(product=product).update(quantity=F("quantity") - 2)
