"""Background tasks of the orders app (django-tasks; `manage.py db_worker` runs them)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from orders.services.settlement import settlement_receipt_give_up, settlement_receipt_send

logger = logging.getLogger("dwc.payments")

SETTLEMENT_RETRY_DELAY = timedelta(minutes=1)  # doubled after every failed attempt


@task()
def settlement_receipt_deliver(*, receipt_id: int, attempt: int = 1) -> None:
    """Send a settlement receipt; when YooKassa fails, try again later with a growing delay, up to
    `SETTLEMENT_MAX_ATTEMPTS` attempts, then leave the row `failed` for staff to see."""
    if settlement_receipt_send(receipt_id=receipt_id):
        return
    if attempt >= settings.SETTLEMENT_MAX_ATTEMPTS:
        logger.error("Settlement receipt %s given up after %d attempts", receipt_id, attempt)
        settlement_receipt_give_up(receipt_id=receipt_id)
        return
    retry = settlement_receipt_deliver
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + SETTLEMENT_RETRY_DELAY * 2 ** (attempt - 1))
    retry.enqueue(receipt_id=receipt_id, attempt=attempt + 1)
