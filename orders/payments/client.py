"""The official YooKassa SDK, configured from settings for every call and given a network timeout."""

import logging
import uuid
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from yookassa import Configuration, Payment, Receipt, Refund
from yookassa.client import ApiClient
from yookassa.domain.exceptions import NotFoundError

from orders.payments.errors import PaymentNotFound, PaymentUnavailable

logger = logging.getLogger("dwc.payments")

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class TimedApiClient(ApiClient):
    """The SDK's client with a network timeout: the SDK sets none, and a hung API must not hang a request."""

    def get_session(self):
        session = super().get_session()
        session.request = partial(session.request, timeout=settings.YOOKASSA_TIMEOUT)
        # A local fake on loopback is reached directly, whatever proxy the environment names for the outside.
        if urlsplit(settings.YOOKASSA_API_URL).hostname in LOOPBACK_HOSTS:
            session.trust_env = False
        return session


class TimedPayment(Payment):
    def __init__(self):
        self.client = TimedApiClient()


class TimedRefund(Refund):
    def __init__(self):
        self.client = TimedApiClient()


class TimedReceipt(Receipt):
    def __init__(self):
        self.client = TimedApiClient()


def yookassa_call(call, *args, **kwargs):
    """Call the API with the shop's credentials; every failure becomes `PaymentUnavailable`."""
    Configuration.configure(
        settings.YOOKASSA_SHOP_ID,
        settings.YOOKASSA_SECRET_KEY,
        api_url=settings.YOOKASSA_API_URL,
        max_attempts=1,
    )
    try:
        return call(*args, **kwargs)
    except NotFoundError as error:
        raise PaymentNotFound() from error
    except Exception as error:
        # The SDK turns network errors into AttributeError; its own errors carry the API's answer.
        logger.warning("YooKassa call %s failed: %r", getattr(call, "__name__", call), error)
        raise PaymentUnavailable() from error


def idempotence_key(order, purpose: str) -> str:
    """A key derived from the order's own, the same for the same purpose every time."""
    return str(uuid.uuid5(order.payment_idempotence_key, purpose))


def payment_find(payment_id: str):
    """The payment as the API has it now."""
    return yookassa_call(TimedPayment.find_one, payment_id)
