"""Catalog writes: the one size-validity rule and stock rows set and dropped through product_set_stock."""

import pytest

from catalog.errors import ProductRejected
from catalog.models import ProductStock
from catalog.services import product_set_stock, product_sizes_check
from catalog.tests.factories import ProductFactory
from orders.admin_forms import OrderAddForm

pytestmark = pytest.mark.django_db


def test_sizes_the_product_offers_pass():
    product_sizes_check(product=ProductFactory(), sizes=["S", "L"])


def test_an_unknown_size_is_refused_by_name():
    with pytest.raises(ProductRejected) as caught:
        product_sizes_check(product=ProductFactory(), sizes=["M", "XXL"])
    assert caught.value.code == "unknown_size"
    assert caught.value.extra["sizes"] == ["XXL"]
    assert "«XXL»" in caught.value.message and "S, M, L" in caught.value.message


def test_set_stock_drops_the_rows_it_is_told_to():
    product = ProductFactory(stock={"S": 1, "M": 2})
    product_set_stock(product=product, stock={"L": 3}, remove=["S"])
    assert dict(ProductStock.objects.filter(product=product).values_list("size", "quantity")) == {"M": 2, "L": 3}


def test_set_stock_refuses_an_unknown_size_and_drops_nothing():
    product = ProductFactory(stock={"S": 1})
    with pytest.raises(ProductRejected):
        product_set_stock(product=product, stock={"XXL": 3}, remove=["S"])
    assert ProductStock.objects.filter(product=product).count() == 1


def test_the_staff_order_form_speaks_the_catalog_rule():
    product = ProductFactory(stock={"M": 2})
    form = OrderAddForm(data={"product": product.pk, "size": "XXL", "quantity": 1})
    form.is_valid()
    assert "У товара нет размера «XXL»" in form.errors["size"][0]
