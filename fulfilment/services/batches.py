"""Handing many orders to CDEK at once (a selection, a whole wave): a `ShipmentBatch` that a task works through,
counting what is done and keeping what failed, so its page shows progress while it runs."""

import logging

from django.db.models import F
from django.utils import timezone

from config.errors import DomainError
from fulfilment.models import Shipment, ShipmentBatch, ShipmentState
from fulfilment.services.shipments import SHIPPABLE, shipment_errors_text, shipment_register
from orders.models import Order

logger = logging.getLogger("dwc.fulfilment")


def shipment_batch_create(*, orders, by=None, title: str = "") -> ShipmentBatch:
    """A batch of `orders` (a queryset or ids); `fulfilment.tasks.shipment_batch_start` queues its work."""
    ids = sorted({getattr(order, "pk", order) for order in orders})
    return ShipmentBatch.objects.create(
        created_by=by if getattr(by, "pk", None) else None, title=title[:255], order_ids=ids, total=len(ids)
    )


def shipment_batch_work(*, batch_id: int) -> ShipmentBatch:
    """Register each order of the batch (each at most once, whatever ran before) and count the outcome."""
    batch = ShipmentBatch.objects.get(pk=batch_id)
    done = {failure["order_id"] for failure in batch.failures}
    for order in Order.objects.filter(pk__in=batch.order_ids).select_related("user").order_by("pk"):
        if order.pk in done:
            continue
        failure = None
        try:
            shipment = shipment_register(order=order)
        except DomainError as error:
            already = Shipment.objects.filter(order=order, state__in=ShipmentState.AT_CDEK).exists()
            failure = None if already else error.message
        else:
            if shipment.state == ShipmentState.INVALID:
                failure = shipment_errors_text(shipment.errors)
        changes = {"processed": F("processed") + 1, "progress_at": timezone.now()}
        if failure is not None:
            logger.warning("Batch %s: order %s not handed over: %s", batch.pk, order.order_number, failure)
            batch.failures.append({"order_id": order.pk, "order": order.order_number, "message": failure})
            changes.update(failed=F("failed") + 1, failures=batch.failures)
        ShipmentBatch.objects.filter(pk=batch.pk, processed__lt=F("total")).update(**changes)
    ShipmentBatch.objects.filter(pk=batch.pk).update(
        state=ShipmentBatch.State.DONE, finished_at=timezone.now(), processed=F("total")
    )
    batch.refresh_from_db()
    return batch


def shipment_batches_stalled_claim(*, now=None) -> list[int]:
    """Running batches that took no step for `ShipmentBatch.STALL_AFTER` (their worker died, their task was
    lost): each is claimed by one caller, which queues its work again. The work starts over from its first order,
    counting anew; orders CDEK already has are read back, never sent twice."""
    now = now or timezone.now()
    stalled = ShipmentBatch.objects.filter(
        state=ShipmentBatch.State.RUNNING, progress_at__lt=now - ShipmentBatch.STALL_AFTER
    )
    claimed = []
    for batch_id in stalled.values_list("pk", flat=True):
        if stalled.filter(pk=batch_id).update(progress_at=now, processed=0, failed=0, failures=[]):
            logger.warning("Batch %s took no step for %s: starting it again.", batch_id, ShipmentBatch.STALL_AFTER)
            claimed.append(batch_id)
    return claimed


def wave_orders_to_ship(*, wave) -> list[int]:
    """The paid orders with units in `wave` that CDEK does not have yet."""
    return list(
        Order.objects.filter(items__preorder_wave=wave, status__in=SHIPPABLE)
        .exclude(shipment__state__in=[*ShipmentState.AT_CDEK, ShipmentState.ACCEPTED])
        .values_list("pk", flat=True)
        .distinct()
    )
