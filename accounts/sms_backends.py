"""SMS backends and the synchronous send: `sms_send(phone, text)` through the backend chosen by `SMS_BACKEND`.

- `console` (default): logs the message;
- `smsru`: SMS.ru's HTTP API (`SMSRU_API_URL`, `SMSRU_API_ID`, optional `SMS_SENDER`);
- `memory`: appends `SmsMessage(phone, text)` to `outbox` for tests to read and clear;
- or the dotted path of a class with a `send(phone, text)` method.

Only the background task (`accounts.tasks.sms_deliver`) sends; everyone else queues with `accounts.sms.sms_enqueue`.
"""

import logging
from dataclasses import dataclass

import requests
from django.conf import settings
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
