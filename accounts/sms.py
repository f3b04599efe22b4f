"""Sending SMS: `sms_send(phone, text)` through the backend chosen by `SMS_BACKEND`."""

import logging

from django.db import transaction

logger = logging.getLogger("dwc.sms")


def sms_send(phone: str, text: str) -> None:
    logger.info("SMS to %s: %s", phone, text)


def sms_enqueue(*, phone: str, text: str) -> None:
    """Send an SMS in the background once the current transaction commits; never inside the request."""
    transaction.on_commit(lambda: sms_send(phone, text))
