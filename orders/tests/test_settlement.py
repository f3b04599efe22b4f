"""Settlement receipts when a wave ships, against the fake YooKassa over real HTTP: once, retried, recorded."""

from decimal import Decimal

import pytest

from orders import payments
from orders.models import SettlementReceipt
from orders.services import order_payment_apply, order_payment_start, order_place, order_refund
from orders.tasks import settlement_receipt_deliver
from preorders.models import PreorderWave, WaveStatus
from preorders.services import wave_set_status
from preorders.tests.factories import PreorderProductFactory


@pytest.fixture
def drop(fake_yookassa, user, settings):
    """A preorder of 2 hoodies at 2990 with 390 delivery, paid; and one order left unpaid."""
    settings.DELIVERY_FLAT_AMOUNT = "390.00"
    hoodie = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=10, price=Decimal("2990.00"))
    items = [{"product": hoodie.pk, "size": "M", "quantity": 2}]
    paid = order_place(user=user, items=items, delivery_address="Москва, ул. Тверская, 1")
    order_payment_start(order_id=paid.pk)
    paid.refresh_from_db()
    fake_yookassa.set_status(paid.payment_id, "succeeded")
    order_payment_apply(payment=payments.payment_find(paid.payment_id))
    unpaid = order_place(user=user, items=items, delivery_address="Москва, ул. Тверская, 1")
    wave = PreorderWave.objects.get(product=hoodie, wave_number=1)
    return wave, paid, unpaid


def _ship(wave, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wave_set_status(wave=wave, status=WaveStatus.PRODUCTION)
    with django_capture_on_commit_callbacks(execute=True):
        wave_set_status(wave=PreorderWave.objects.get(pk=wave.pk), status=WaveStatus.SHIPPING)


def test_a_shipping_wave_sends_each_paid_order_one_settlement_receipt(
    drop, fake_yookassa, django_capture_on_commit_callbacks, settings
):
    settings.YOOKASSA_VAT_CODE = 11
    wave, paid, unpaid = drop
    _ship(wave, django_capture_on_commit_callbacks)
    [request] = fake_yookassa.api_requests("POST", "/receipts")
    body = request.body
    assert body["type"] == "payment" and body["payment_id"] == paid.payment_id
    assert {item["payment_mode"] for item in body["items"]} == {"full_payment"}
    assert {item["vat_code"] for item in body["items"]} == {11}
    assert body["tax_system_code"] == 1
    assert body["settlements"] == [{"type": "prepayment", "amount": {"value": "6370.00", "currency": "RUB"}}]
    row = SettlementReceipt.objects.get()
    assert (row.order_id, row.status, row.amount) == (paid.pk, "sent", Decimal("6370.00"))
    assert row.receipt_id in fake_yookassa.receipts
    assert "чек зачёта предоплаты" in paid.events.last().message

    # A second move (completed), a repeated task: nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        wave_set_status(wave=PreorderWave.objects.get(pk=wave.pk), status=WaveStatus.COMPLETED)
    settlement_receipt_deliver.call(receipt_id=row.pk)
    assert len(fake_yookassa.api_requests("POST", "/receipts")) == 1


def test_a_failing_receipts_api_is_retried_and_never_blocks_the_wave(
    drop, fake_yookassa, django_capture_on_commit_callbacks, settings
):
    settings.SETTLEMENT_MAX_ATTEMPTS = 3
    wave, paid, unpaid = drop
    fake_yookassa.outage = 500
    _ship(wave, django_capture_on_commit_callbacks)
    assert PreorderWave.objects.get(pk=wave.pk).status == WaveStatus.SHIPPING
    row = SettlementReceipt.objects.get()
    assert (row.status, row.attempts) == ("failed", 3)  # the immediate test backend runs the retries at once
    assert len(fake_yookassa.api_requests("POST", "/receipts")) == 3
    fake_yookassa.outage = None
    SettlementReceipt.objects.filter(pk=row.pk).update(status="pending")
    settlement_receipt_deliver.call(receipt_id=row.pk)
    row.refresh_from_db()
    assert row.status == "sent"
    keys = {r.headers["Idempotence-Key"] for r in fake_yookassa.api_requests("POST", "/receipts")}
    assert len(keys) == 1  # every attempt carried the same key: YooKassa keeps one receipt


def test_refunded_units_are_not_settled(drop, fake_yookassa, django_capture_on_commit_callbacks):
    wave, paid, unpaid = drop
    [line] = paid.items.all()
    order_refund(order=paid, items=[(line.pk, 1)], by=None)
    _ship(wave, django_capture_on_commit_callbacks)
    [request] = fake_yookassa.api_requests("POST", "/receipts")
    assert request.body["settlements"][0]["amount"]["value"] == "3380.00"  # 2990 + 390 delivery
