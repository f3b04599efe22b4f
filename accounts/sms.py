"""Sending SMS: everyone calls `sms_enqueue(phone=..., text=...)`.

The message leaves once the current transaction commits, as a background task (`accounts.tasks.sms_deliver`)
that is retried a few times and can never fail the caller. The backends and the synchronous `sms_send` the task
performs live in `accounts.sms_backends` (re-exported here).
"""

import logging
from functools import partial

from django.db import transaction

from accounts.sms_backends import (
    BACKENDS,
    ConsoleBackend,
    MemoryBackend,
    SmsError,
    SmsMessage,
    SmsRuBackend,
    outbox,
    sms_backend,
    sms_send,
)
from accounts.tasks import sms_deliver

__all__ = [
    "BACKENDS",
    "ConsoleBackend",
    "MemoryBackend",
    "SmsError",
    "SmsMessage",
    "SmsRuBackend",
    "outbox",
    "sms_backend",
    "sms_enqueue",
    "sms_send",
]

logger = logging.getLogger("dwc.sms")


#: How every SMS of the shop is signed: «DWC Shop: …».
SMS_SIGNATURE = "DWC Shop"


def sms_signed(text: str) -> str:
    """An SMS text with the shop's one signature in front."""
    return f"{SMS_SIGNATURE}: {text}"


def sms_enqueue(*, phone: str, text: str) -> None:
    """Send an SMS in the background once the current transaction commits; never inside the request.

    Nothing is queued when the transaction rolls back, and a failure to queue is logged, never raised.
    """
    if not phone or not text:
        return
    transaction.on_commit(partial(_sms_queue, phone, text), robust=True)


def _sms_queue(phone: str, text: str) -> None:
    try:
        sms_deliver.enqueue(phone=phone, text=text)
    except Exception:
        logger.exception("Could not queue the SMS to %s", phone)
