import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from catalog.models import ONE_SIZE, Product, ProductStock, slug_from
from catalog.tests.factories import ProductFactory
from preorders.models import PreorderWave
from preorders.tests.factories import PreorderProductFactory

pytestmark = pytest.mark.django_db


def test_raw_update_that_makes_stock_negative_fails():
    product = ProductFactory(stock={"M": 2})
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductStock.objects.filter(product=product).update(quantity=F("quantity") - 3)
    assert ProductStock.objects.get(product=product).quantity == 2


def test_one_stock_row_per_size():
    product = ProductFactory(stock={"M": 2})
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductStock.objects.create(product=product, size="M", quantity=1)


def test_article_is_unique():
    ProductFactory(article="DWC-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(article="DWC-1")


def test_product_without_sizes_has_one_size():
    assert ProductFactory(sizes=[]).size_labels == [ONE_SIZE]
    assert ProductFactory(sizes=["42", 44]).size_labels == ["42", "44"]


def test_visible_means_active_and_not_archived():
    shown = ProductFactory()
    ProductFactory(is_active=False)
    ProductFactory(is_archived=True)
    assert list(Product.objects.visible()) == [shown]


def test_stock_total_is_the_sum_of_sizes():
    product = ProductFactory(stock={"S": 2, "M": 3, "L": 0})
    assert Product.objects.with_stock_total().get(pk=product.pk).stock_total == 5


def test_slug_is_latin_and_unique_by_article():
    assert slug_from("Худи Чёрное") == "hudi-chernoe"
    product = ProductFactory(name="Худи Чёрное", article="HD-1")
    assert product.slug == "hudi-chernoe-hd-1"


def test_stock_count_is_derived_from_stock_per_size():
    assert ProductFactory(stock={"S": 2, "M": 3}).stock_count == 5


def test_current_wave_is_derived_from_the_waves():
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    assert (product.current_wave, product.current_wave_count) == (1, 0)
    PreorderWave.objects.filter(product=product, wave_number=1).update(current_count=5)
    PreorderWave.objects.filter(product=product, wave_number=2).update(current_count=2)
    assert (product.current_wave, product.current_wave_count) == (2, 2)
    PreorderWave.objects.filter(product=product).update(current_count=5)
    # Every wave full: the last one is current, and it is full.
    assert (product.current_wave, product.current_wave_count) == (3, 5)
    assert ProductFactory().current_wave is None
