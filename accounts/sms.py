"""Sending SMS: `sms_send(phone, text)` through the backend chosen by `SMS_BACKEND`.

Everyone but this module calls `sms_enqueue(phone=..., text=...)`: the message leaves once the current
transaction commits, as a background task (`accounts.tasks.sms_deliver`) that is retried a few times and can
never fail the caller. `sms_send` is the synchronous send the task performs.

Backends (`SMS_BACKEND`):
- `console` (default): logs the message;
- `smsru`: SMS.ru's HTTP API (`SMSRU_API_URL`, `SMSRU_API_ID`, optional `SMS_SENDER`);
- `memory`: appends `SmsMessage(phone, text)` to `accounts.sms.outbox` for tests to read and clear;
- or the dotted path of a class with a `send(phone, text)` method.
"""

import logging
from dataclasses import dataclass
from functools import partial

import requests
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger("dwc.sms")


class SmsError(Exception):
    """The gateway did not accept the message; the task retries it."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


# What the memory backend has "sent", oldest first; tests read and clear it.
outbox: list[SmsMessage] = []


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class MemoryBackend:
    def send(self, phone: str, text: str) -> None:
        outbox.append(SmsMessage(phone=phone, text=text))


class SmsRuBackend:
    """SMS.ru's `sms/send` method with a JSON answer (https://sms.ru/api/send)."""

    timeout = 10

    def send(self, phone: str, text: str) -> None:
        if not settings.SMSRU_API_ID:
            raise SmsError("SMSRU_API_ID is not set")
        number = phone.lstrip("+")
        data = {"api_id": settings.SMSRU_API_ID, "to": number, "msg": text, "json": 1}
        if settings.SMS_SENDER:
            data["from"] = settings.SMS_SENDER
        try:
            response = requests.post(settings.SMSRU_API_URL, data=data, timeout=self.timeout)
            answer = response.json()
        except (requests.RequestException, ValueError) as error:
            raise SmsError(f"SMS.ru is unreachable: {error}") from error
        # The request as a whole and the message to this number each carry their own status.
        message = (answer.get("sms") or {}).get(number) or {}
        if answer.get("status") != "OK" or message.get("status") != "OK":
            reason = message.get("status_text") or answer.get("status_text") or response.status_code
            raise SmsError(f"SMS.ru refused the message to {phone}: {reason}")
        logger.info("SMS to %s sent through SMS.ru as %s", phone, message.get("sms_id"))


BACKENDS = {"console": ConsoleBackend, "memory": MemoryBackend, "smsru": SmsRuBackend}


def sms_backend():
    name = settings.SMS_BACKEND
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class()


def sms_send(phone: str, text: str) -> None:
    """Send one message now, through the configured backend; raises `SmsError` when it was not sent."""
    sms_backend().send(phone, text)


def sms_enqueue(*, phone: str, text: str) -> None:
    """Send an SMS in the background once the current transaction commits; never inside the request.

    Nothing is queued when the transaction rolls back, and a failure to queue is logged, never raised.
    """
    if not phone or not text:
        return
    transaction.on_commit(partial(_sms_queue, phone, text), robust=True)


def _sms_queue(phone: str, text: str) -> None:
    from accounts.tasks import sms_deliver

    try:
        sms_deliver.enqueue(phone=phone, text=text)
    except Exception:
        logger.exception("Could not queue the SMS to %s", phone)
