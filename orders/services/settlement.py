"""Settlement receipts (54-FZ): a preorder is paid in advance (`full_prepayment`); when its wave ships, YooKassa
gets a second receipt for those goods (`POST /v3/receipts`, `type: payment`, `full_payment` items, settled
against the prepayment), once per order and wave.

`settlement_receipts_open(wave=...)` writes one `SettlementReceipt` row per paid order of the wave (a unique
constraint: a second move of the wave adds none) and returns the new ones; the worker sends each
(`orders.tasks.settlement_receipt_deliver`) with an idempotence key derived from the row, so a retry never sends
a second receipt. The wave move itself never waits for YooKassa.

What a receipt settles: the order's units in that wave not refunded, at what is left of their lines' stored
sums after the discount (`OrderItem.units_amount`); the order's in-stock units and its delivery go with the receipt of its first wave.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from config.money import from_kopecks, kopecks
from orders import payments
from orders.models import (
    Order,
    OrderRefundLine,
    OrderStatus,
    PaymentStatus,
    RefundStatus,
    SettlementReceipt,
    SettlementStatus,
)
from orders.payments import idempotence_key
from orders.services.lifecycle import order_event_add

logger = logging.getLogger("dwc.payments")


def settlement_receipts_open(*, wave) -> list[int]:
    """One settlement receipt row for each paid order with units in `wave` that has none yet; their ids."""
    orders = (
        Order.objects.filter(
            items__preorder_wave=wave,
            status__in=OrderStatus.HOLDS_PAYMENT,
            payment_status=PaymentStatus.SUCCEEDED,
        )
        .exclude(payment_id="")
        .distinct()
        .order_by("pk")
    )
    opened = []
    for order in orders:
        try:
            with transaction.atomic():
                row, created = SettlementReceipt.objects.get_or_create(order=order, wave=wave)
        except IntegrityError:
            continue  # a concurrent move of the same wave wrote it first
        if created:
            opened.append(row.pk)
    return opened


def _lines(*, order: Order, wave_id: int) -> tuple[list[tuple], int]:
    """(item, units, kopecks) of the order's units this receipt settles, and the delivery (kopecks)."""
    priced = order.priced_items() or []
    waves = sorted({item.preorder_wave_id for item in priced if item.preorder_wave_id})
    first = bool(waves) and waves[0] == wave_id
    refunded = {
        row["item_id"]: (row["units"], kopecks(row["amount"]))
        for row in OrderRefundLine.objects.filter(refund__order=order, refund__status=RefundStatus.SUCCEEDED)
        .values("item_id")
        .annotate(units=Sum("quantity"), amount=Sum("amount"))
    }
    lines = []
    for item in priced:
        if item.preorder_wave_id != wave_id and not (first and not item.preorder_wave_id):
            continue
        units_before, amount_before = refunded.get(item.pk, (0, 0))
        units = item.quantity - units_before
        if units <= 0:
            continue
        lines.append(
            (item, units, item.units_amount(units, units_before=units_before, amount_before=amount_before))
        )
    delivery_refunded = order.refunds.filter(status=RefundStatus.SUCCEEDED, is_full=True).exists()
    delivery = kopecks(order.delivery_amount) if first and not delivery_refunded else 0
    return lines, delivery


def settlement_receipt_send(*, receipt_id: int) -> bool:
    """Send one settlement receipt; True when it is sent (now or before). A failure is recorded on the row
    (`attempts`, `last_error`) and returns False: the worker tries again later."""
    row = SettlementReceipt.objects.select_related("order__user").get(pk=receipt_id)
    if row.status == SettlementStatus.SENT:
        return True
    order = row.order
    lines, delivery = _lines(order=order, wave_id=row.wave_id)
    if not lines and not delivery:
        SettlementReceipt.objects.filter(pk=row.pk).update(status=SettlementStatus.SENT, sent_at=timezone.now())
        return True  # everything of the wave was refunded: nothing to settle
    request = payments.settlement_request(order=order, lines=lines, delivery=delivery)
    amount = request["settlements"][0]["amount"]["value"]
    try:
        answer = payments.receipt_create(request=request, key=idempotence_key(order, f"settlement:{row.pk}"))
    except payments.PaymentUnavailable as error:
        SettlementReceipt.objects.filter(pk=row.pk).update(
            attempts=row.attempts + 1, last_error=str(error.message)[:255]
        )
        logger.warning("Settlement receipt of order %s (wave %s) not sent: %s", order, row.wave_id, error.message)
        return False
    sent = (
        SettlementReceipt.objects.filter(pk=row.pk)
        .exclude(status=SettlementStatus.SENT)
        .update(
            status=SettlementStatus.SENT,
            receipt_id=str(answer.id or "")[:64],
            amount=from_kopecks(kopecks(amount)),
            attempts=row.attempts + 1,
            last_error="",
            sent_at=timezone.now(),
        )
    )
    if sent:
        order_event_add(order=order, message="Товар отгружен: в ЮKassa отправлен чек зачёта предоплаты.")
        logger.info("Settlement receipt %s sent for order %s (wave %s)", answer.id, order, row.wave_id)
    return True


def settlement_receipt_give_up(*, receipt_id: int) -> None:
    SettlementReceipt.objects.filter(pk=receipt_id).exclude(status=SettlementStatus.SENT).update(
        status=SettlementStatus.FAILED
    )
