"""Background work of fulfilment (django-tasks; `manage.py db_worker` runs it): batches of hand-overs, and
following a registration CDEK has not answered yet."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from fulfilment.models import Shipment, ShipmentBatch, ShipmentState
from fulfilment.services import (
    shipment_batch_create,
    shipment_batch_work,
    shipment_batches_stalled_claim,
    shipment_refresh,
    shipment_register,
)

logger = logging.getLogger("dwc.fulfilment")

POLL_DELAY = timedelta(seconds=5)  # doubled after every answer that is still ACCEPTED
POLL_ATTEMPTS = 8


@task()
def shipment_batch_run(*, batch_id: int) -> None:
    shipment_batch_work(batch_id=batch_id)


@task()
def shipment_poll(*, shipment_id: int, attempt: int = 1) -> None:
    """Read a registration CDEK has not decided yet back until it is `SUCCESSFUL` or `INVALID` (the periodic
    reconciliation picks up whatever this gives up on)."""
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None or shipment.state != ShipmentState.ACCEPTED:
        return
    shipment = shipment_refresh(shipment=shipment, quiet=True)
    if shipment.state == ShipmentState.ACCEPTED:
        _poll_later(shipment, attempt=attempt + 1)


def _poll_later(shipment: Shipment, *, attempt: int) -> None:
    poll = shipment_poll
    if attempt > POLL_ATTEMPTS or not poll.get_backend().supports_defer:
        return  # an immediate backend would only ask again at once
    poll = poll.using(run_after=timezone.now() + POLL_DELAY * 2 ** (attempt - 2))
    poll.enqueue(shipment_id=shipment.pk, attempt=attempt)


def shipment_batch_start(*, orders, by=None, title: str = "") -> ShipmentBatch:
    """Record a batch of orders to hand to CDEK and queue its work after commit."""
    batch = shipment_batch_create(orders=orders, by=by, title=title)
    transaction.on_commit(lambda: shipment_batch_run.enqueue(batch_id=batch.pk), robust=True)
    return batch


def shipment_batches_resume() -> int:
    """Queue again the work of batches that stopped moving (the scheduler's round); how many."""
    claimed = shipment_batches_stalled_claim()
    for batch_id in claimed:
        shipment_batch_run.enqueue(batch_id=batch_id)
    return len(claimed)


def shipment_hand_over(*, order) -> Shipment:
    """Register one order now (`shipment_register`) and keep asking CDEK if it has not decided yet."""
    shipment = shipment_register(order=order)
    if shipment.state == ShipmentState.ACCEPTED:
        _poll_later(shipment, attempt=2)
    return shipment
