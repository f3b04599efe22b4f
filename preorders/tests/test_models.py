import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from preorders.models import PreorderWave
from preorders.tests.factories import PreorderProductFactory, PreorderWaveFactory

pytestmark = pytest.mark.django_db


def test_wave_count_cannot_exceed_capacity():
    wave = PreorderWaveFactory(capacity=5, current_count=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        PreorderWave.objects.filter(pk=wave.pk).update(current_count=F("current_count") + 2)
    wave.refresh_from_db()
    assert wave.current_count == 4


def test_wave_count_cannot_go_negative():
    wave = PreorderWaveFactory(current_count=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        PreorderWave.objects.filter(pk=wave.pk).update(current_count=F("current_count") - 1)


def test_wave_numbers_are_unique_per_product():
    product = PreorderProductFactory(preorder_waves_total=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PreorderWave.objects.create(product=product, wave_number=1, capacity=3)


def test_preorder_factory_makes_empty_waves():
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    assert list(product.waves.values_list("wave_number", "capacity", "current_count")) == [
        (1, 5, 0),
        (2, 5, 0),
        (3, 5, 0),
    ]
