"""The orders app's answers to the preorders' news (connected in `OrdersConfig.ready`)."""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from accounts.personal_data import ERASED
from accounts.signals import personal_data_erasing, personal_data_requested
from orders import notifications
from orders.models import Order
from orders.selectors import order_list_for, wave_orders_to_tell
from orders.serializers import OrderSerializer
from orders.services.settlement import settlement_receipts_open
from orders.tasks import settlement_receipt_deliver
from preorders.models import PreorderStatus, WaveStatus
from preorders.signals import wave_status_changed


@receiver(wave_status_changed, dispatch_uid="orders.wave_orders_tell")
def wave_orders_tell(sender, *, wave, status: str, message: str, **kwargs) -> None:
    """Every live order with a line in the wave gets a timeline entry and its customer an SMS."""
    orders = list(wave_orders_to_tell(wave=wave).values_list("pk", "order_number", "user__phone").order_by("pk"))
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


# --- A customer's personal data (152-FZ) ------------------------------------------------------------------------
@receiver(personal_data_requested, dispatch_uid="orders.personal_data_orders")
def personal_data_orders(sender, *, user, **kwargs) -> dict:
    """The customer's orders in the export, as the API shows them (items, amounts, delivery, timeline)."""
    return {"orders": OrderSerializer(order_list_for(user=user), many=True).data}


@receiver(personal_data_erasing, dispatch_uid="orders.personal_data_erase_orders")
def personal_data_erase_orders(sender, *, user, **kwargs) -> None:
    """Orders stay for the accounts (items, amounts, payments, receipts); the delivery address that names where
    the customer lives becomes a placeholder, in the orders and in their audit history."""
    orders = Order.objects.filter(user=user)
    orders.exclude(delivery_address="").update(delivery_address=ERASED)
    Order.history.filter(id__in=orders.values("pk")).exclude(delivery_address="").update(delivery_address=ERASED)
