"""Wave lifecycle (staff): statuses move forward and reach every customer of the wave; new waves reopen sales."""

import pytest

from accounts.tests.factories import UserFactory
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from config.errors import DomainError
from orders.models import Order
from orders.tests.factories import OrderFactory, OrderItemFactory
from preorders import services
from preorders.errors import WaveChangeRefused
from preorders.models import PreorderStatus, PreorderWave, WaitlistEntry, WaveStatus
from preorders.services import (
    WaveTransitionRefused,
    product_sync_waves,
    waitlist_notify,
    wave_add,
    wave_set_status,
)
from preorders.tests.factories import PreorderProductFactory, WaitlistEntryFactory


@pytest.fixture
def sms(monkeypatch):
    """Every SMS queued about preorders (the waitlist's and the orders' of a wave), as (phone, text)."""
    sent = []
    monkeypatch.setattr(services, "sms_enqueue", lambda *, phone, text: sent.append((phone, text)))
    monkeypatch.setattr("orders.notifications.sms_enqueue", lambda *, phone, text: sent.append((phone, text)))
    return sent


def order_in(wave, *, phone=None, status=Order.Status.PAID, lines=1):
    order = OrderFactory(status=status, user=UserFactory(**({"phone": phone} if phone else {})))
    for _ in range(lines):
        OrderItemFactory(order=order, product=wave.product, is_preorder=True, preorder_wave=wave)
    return order


@pytest.fixture
def product(db):
    return PreorderProductFactory(name="Бомбер", preorder_waves_total=2, preorder_wave_capacity=5)


@pytest.fixture
def wave(product):
    return product.waves.get(wave_number=1)


def test_every_order_of_the_wave_gets_a_status_and_an_sms(product, wave, sms):
    first = order_in(wave, phone="+79990000001", lines=2)
    second = order_in(wave, phone="+79990000002", status=Order.Status.PENDING)
    cancelled = order_in(wave, phone="+79990000003", status=Order.Status.CANCELLED)
    other_wave = order_in(product.waves.get(wave_number=2), phone="+79990000004")

    wave_set_status(wave=wave, status=WaveStatus.PRODUCTION)

    wave.refresh_from_db()
    assert wave.status == WaveStatus.PRODUCTION
    rows = PreorderStatus.objects.filter(wave=wave)
    assert sorted(rows.values_list("order_id", flat=True)) == sorted([first.pk, second.pk])
    assert {row.status for row in rows} == {WaveStatus.PRODUCTION}
    assert rows.first().status_message == "Волна 1 собрана и передана в производство."
    assert not PreorderStatus.objects.filter(order__in=[cancelled, other_wave]).exists()
    assert sorted(phone for phone, _ in sms) == ["+79990000001", "+79990000002"]
    text = dict(sms)["+79990000001"]
    assert first.order_number in text and "Бомбер" in text and "производство" in text


def test_staff_message_is_used(wave, sms):
    order = order_in(wave)
    wave_set_status(wave=wave, status=WaveStatus.SHIPPING, message="  Отправляем СДЭКом 5 декабря.  ")
    assert PreorderStatus.objects.get(order=order).status_message == "Отправляем СДЭКом 5 декабря."
    assert sms[0][1].endswith("Отправляем СДЭКом 5 декабря.")


def test_completed_keeps_the_moment(wave, sms):
    wave_set_status(wave=wave, status=WaveStatus.PRODUCTION)
    assert PreorderWave.objects.get(pk=wave.pk).completed_at is None
    wave_set_status(wave=wave, status=WaveStatus.COMPLETED)
    wave.refresh_from_db()
    assert wave.status == WaveStatus.COMPLETED and wave.completed_at is not None


@pytest.mark.parametrize(
    "current, target",
    [
        (WaveStatus.PRODUCTION, WaveStatus.COLLECTING),
        (WaveStatus.SHIPPING, WaveStatus.PRODUCTION),
        (WaveStatus.COMPLETED, WaveStatus.SHIPPING),
        (WaveStatus.PRODUCTION, WaveStatus.PRODUCTION),
        (WaveStatus.COLLECTING, "lost"),
    ],
)
def test_statuses_never_move_back(wave, sms, current, target):
    PreorderWave.objects.filter(pk=wave.pk).update(status=current)
    order_in(wave)
    with pytest.raises(WaveTransitionRefused) as refused:
        wave_set_status(wave=wave, status=target)
    assert refused.value.status == 409
    assert PreorderWave.objects.get(pk=wave.pk).status == current
    assert not PreorderStatus.objects.exists() and sms == []


def test_a_step_may_be_skipped_forward(wave, sms):
    order_in(wave)
    wave_set_status(wave=wave, status=WaveStatus.COMPLETED)
    assert PreorderWave.objects.get(pk=wave.pk).status == WaveStatus.COMPLETED
    assert PreorderStatus.objects.get().status == WaveStatus.COMPLETED


def test_when_the_last_collecting_wave_stops_the_product_waits(product, sms):
    for wave in product.waves.all():
        wave_set_status(wave=wave, status=WaveStatus.PRODUCTION)
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.WAITING


def full_waiting_product(**kwargs):
    product = PreorderProductFactory(order_type=Product.OrderType.WAITING, preorder_wave_capacity=3, **kwargs)
    product.waves.update(current_count=3)
    return product


def test_wave_add_reopens_a_waiting_product_and_tells_the_waitlist(db, sms):
    product = full_waiting_product(name="Анорак", preorder_waves_total=2)
    early = WaitlistEntryFactory(product=product, phone="+79991112233")
    late = WaitlistEntryFactory(product=product, phone="+79991112244")
    told_before = WaitlistEntryFactory(product=product, phone="+79991112255")
    WaitlistEntry.objects.filter(pk=told_before.pk).update(notified_at="2026-01-01T00:00:00Z")
    stranger = WaitlistEntryFactory(phone="+79991112266")

    wave = wave_add(product=product)

    assert (wave.wave_number, wave.capacity, wave.current_count, wave.status) == (3, 3, 0, WaveStatus.COLLECTING)
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.PREORDER
    assert product.preorder_waves_total == 3
    assert sorted(phone for phone, _ in sms) == [early.phone, late.phone]
    assert "Анорак" in sms[0][1] and product.get_absolute_url() in sms[0][1]
    assert WaitlistEntry.objects.filter(pk__in=[early.pk, late.pk], notified_at__isnull=False).count() == 2
    assert WaitlistEntry.objects.get(pk=stranger.pk).notified_at is None

    sms.clear()
    wave_add(product=product, capacity=10)
    assert product.waves.get(wave_number=4).capacity == 10
    assert sms == []  # everyone was told once


def test_wave_add_refuses_in_stock_products_and_empty_waves(db, sms):
    with pytest.raises(DomainError):
        wave_add(product=ProductFactory())
    product = full_waiting_product()
    with pytest.raises(DomainError):
        wave_add(product=product, capacity=0)
    assert product.waves.count() == 3
    assert Product.objects.get(pk=product.pk).order_type == Product.OrderType.WAITING


def test_waitlist_notify_tells_each_entry_once(db, sms):
    product = PreorderProductFactory()
    WaitlistEntryFactory(product=product, phone="+79993334455")
    assert waitlist_notify(product=product) == 1
    assert waitlist_notify(product=product) == 0
    assert [phone for phone, _ in sms] == ["+79993334455"]


def test_raising_waves_total_reopens_a_waiting_product(db, sms):
    product = full_waiting_product(preorder_waves_total=2)
    entry = WaitlistEntryFactory(product=product)
    product.preorder_waves_total = 3
    product.save()

    waves = product_sync_waves(product=product)

    assert [w.wave_number for w in waves] == [1, 2, 3]
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.PREORDER
    assert [phone for phone, _ in sms] == [entry.phone]
    assert WaitlistEntry.objects.get(pk=entry.pk).notified_at is not None


def test_syncing_a_waiting_product_without_new_room_keeps_it_waiting(db, sms):
    product = full_waiting_product(preorder_waves_total=2)
    WaitlistEntryFactory(product=product)
    product_sync_waves(product=product)
    assert Product.objects.get(pk=product.pk).order_type == Product.OrderType.WAITING
    assert sms == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, error, code",
    [
        ({"status": WaveStatus.COLLECTING}, WaveTransitionRefused, "invalid_wave_transition"),
        ({"status": "lost"}, WaveTransitionRefused, "invalid_wave_status"),
        ({"capacity": 1}, WaveChangeRefused, "invalid_wave_capacity"),
    ],
)
def test_wave_change_check_refuses(change, error, code):
    wave = PreorderProductFactory().waves.get(wave_number=1)
    PreorderWave.objects.filter(pk=wave.pk).update(current_count=2)
    wave.refresh_from_db()
    with pytest.raises(error) as caught:
        services.wave_change_check(wave=wave, **change)
    assert caught.value.code == code


@pytest.mark.django_db
def test_capacity_is_fixed_once_a_wave_stops_collecting():
    wave = PreorderProductFactory().waves.get(wave_number=1)
    wave_set_status(wave=wave, status=WaveStatus.PRODUCTION)
    with pytest.raises(WaveChangeRefused) as caught:
        services.wave_update(wave=wave, capacity=wave.capacity + 5)
    assert caught.value.code == "wave_capacity_locked"


@pytest.mark.django_db
def test_wave_update_sets_capacity_then_status(sms):
    wave = PreorderProductFactory().waves.get(wave_number=1)
    capacity = wave.capacity + 5
    services.wave_update(wave=wave, capacity=capacity, status=WaveStatus.PRODUCTION, message="Шьём")
    wave.refresh_from_db()
    assert (wave.status, wave.capacity) == (WaveStatus.PRODUCTION, capacity)
