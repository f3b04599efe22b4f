"""The orders app's answers to the preorders' news (connected in `OrdersConfig.ready`)."""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from orders import notifications
from orders.models import Order, OrderStatus
from orders.services.settlement import settlement_receipts_open
from orders.tasks import settlement_receipt_deliver
from preorders.models import PreorderStatus, WaveStatus
from preorders.signals import wave_status_changed


@receiver(wave_status_changed, dispatch_uid="orders.wave_orders_tell")
def wave_orders_tell(sender, *, wave, status: str, message: str, **kwargs) -> None:
    """Every live order with a line in the wave gets a timeline entry and its customer an SMS."""
    orders = list(
        Order.objects.filter(items__preorder_wave=wave)
        .exclude(status__in=OrderStatus.CLOSED)
        .values_list("pk", "order_number", "user__phone")
        .distinct()
        .order_by("pk")
    )
    PreorderStatus.objects.bulk_create(
        PreorderStatus(order_id=order_id, wave=wave, status=status, status_message=message)
        for order_id, _, _ in orders
    )
    for _, order_number, phone in orders:
        notifications.notify_wave_status(phone=phone, order_number=order_number, wave=wave, message=message)


@receiver(wave_status_changed, dispatch_uid="orders.wave_settlement_receipts")
def wave_settlement_receipts(sender, *, wave, status: str, **kwargs) -> None:
    """A wave that ships (or is completed) settles its prepaid orders: one settlement receipt each, sent by the
    worker after the wave's change commits, so the move never waits for YooKassa."""
    if status not in (WaveStatus.SHIPPING, WaveStatus.COMPLETED):
        return
    for receipt_id in settlement_receipts_open(wave=wave):
        transaction.on_commit(partial(settlement_receipt_deliver.enqueue, receipt_id=receipt_id), robust=True)
