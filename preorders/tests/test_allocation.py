"""Allocation of preorder units to waves: wave order, splitting, waiting when full, release back to the wave."""

import pytest

from catalog.models import Product
from catalog.tests.factories import ProductFactory
from preorders.errors import WaveCapacityExceeded
from preorders.models import PreorderWave, WaveStatus
from preorders.services import (
    product_refresh_preorder_state,
    waves_allocate,
    waves_free_units,
    waves_lock,
    waves_release,
)
from preorders.tests.factories import PreorderProductFactory

pytestmark = pytest.mark.django_db


def counts(product):
    return list(
        PreorderWave.objects.filter(product=product)
        .order_by("wave_number")
        .values_list("current_count", flat=True)
    )


def locked(product):
    return waves_lock(product_ids=[product.pk])[product.pk]


def test_lock_returns_each_products_waves():
    first = PreorderProductFactory(preorder_waves_total=2)
    second = PreorderProductFactory(preorder_waves_total=3)
    waves = waves_lock(product_ids=[first.pk, second.pk])
    assert [len(waves[first.pk]), len(waves[second.pk])] == [2, 3]
    assert waves_lock(product_ids=[]) == {}


def test_free_units_count_open_waves_only():
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    PreorderWave.objects.filter(product=product, wave_number=1).update(current_count=2)
    PreorderWave.objects.filter(product=product, wave_number=2).update(status=WaveStatus.PRODUCTION)
    assert waves_free_units(product=product, waves=locked(product)) == 3 + 5


def test_a_waiting_or_in_stock_product_has_no_free_units():
    waiting = PreorderProductFactory(order_type=Product.OrderType.WAITING)
    assert waves_free_units(product=waiting, waves=locked(waiting)) == 0
    assert waves_free_units(product=ProductFactory(), waves=[]) == 0


def test_units_fill_waves_in_order_and_split():
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    waves = locked(product)
    first = waves_allocate(product=product, waves=waves, quantity=4)
    assert [(w.wave_number, n) for w, n in first] == [(1, 4)]
    second = waves_allocate(product=product, waves=waves, quantity=7)
    assert [(w.wave_number, n) for w, n in second] == [(1, 1), (2, 5), (3, 1)]
    assert counts(product) == [5, 5, 1]


def test_allocating_more_than_all_waves_hold_takes_nothing():
    product = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5)
    with pytest.raises(WaveCapacityExceeded) as caught:
        waves_allocate(product=product, waves=locked(product), quantity=11)
    assert caught.value.extra["available"] == 10
    assert counts(product) == [0, 0]


def test_the_product_turns_waiting_when_the_last_wave_fills_and_back_when_units_return():
    product = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5)
    waves = locked(product)
    allocations = waves_allocate(product=product, waves=waves, quantity=10)
    product_refresh_preorder_state(product=product, waves=waves)
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.WAITING
    last_wave, units = allocations[-1]
    waves_release(units={last_wave.pk: 3})
    assert counts(product) == [5, 2]
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.PREORDER


def test_units_return_to_their_own_wave():
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    waves = locked(product)
    waves_allocate(product=product, waves=waves, quantity=12)
    second = next(w for w in waves if w.wave_number == 2)
    waves_release(units={second.pk: 4})
    assert counts(product) == [5, 1, 2]


def test_release_never_goes_below_zero():
    product = PreorderProductFactory(preorder_waves_total=1, preorder_wave_capacity=5)
    wave = PreorderWave.objects.get(product=product)
    PreorderWave.objects.filter(pk=wave.pk).update(current_count=1)
    waves_release(units={wave.pk: 3})
    assert counts(product) == [0]


def test_units_returned_to_a_wave_in_production_do_not_reopen_the_product():
    product = PreorderProductFactory(
        preorder_waves_total=1, preorder_wave_capacity=2, order_type=Product.OrderType.WAITING
    )
    wave = PreorderWave.objects.get(product=product)
    PreorderWave.objects.filter(pk=wave.pk).update(current_count=2, status=WaveStatus.PRODUCTION)
    waves_release(units={wave.pk: 1})
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.WAITING


def test_refresh_reads_the_product_afresh_without_waves():
    product = PreorderProductFactory(preorder_waves_total=1, preorder_wave_capacity=5)
    Product.objects.filter(pk=product.pk).update(order_type=Product.OrderType.WAITING)
    # A stale instance still says `preorder`; the wave has room, so the product reopens.
    product_refresh_preorder_state(product=product)
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.PREORDER


def test_in_stock_products_are_left_alone():
    product = ProductFactory()
    product_refresh_preorder_state(product=product)
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.IN_STOCK
