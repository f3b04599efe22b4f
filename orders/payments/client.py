"""The official YooKassa SDK, configured from settings for every call and given a network timeout."""

import logging
import uuid
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from yookassa import Configuration, Payment, Receipt, Refund
from yookassa.client import ApiClient
from yookassa.domain.exceptions import BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError

from orders.payments.breaker import CircuitOpen, breaker_before_call, breaker_failure, breaker_success
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


# YooKassa answered and refused this one request: it is up, so these do not trip the circuit breaker.
REFUSALS = (BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError)


def yookassa_call(call, *args, **kwargs):
    """Call the API with the shop's credentials, through the circuit breaker; every failure becomes
    `PaymentUnavailable` (at once, without a call, while the circuit is open)."""
    Configuration.configure(
        settings.YOOKASSA_SHOP_ID,
        settings.YOOKASSA_SECRET_KEY,
        api_url=settings.YOOKASSA_API_URL,
        max_attempts=1,
    )
    name = getattr(call, "__name__", call)
    try:
        breaker_before_call()
    except CircuitOpen as error:
        logger.info("YooKassa call %s not made: circuit open", name)
        raise PaymentUnavailable(code="payment_circuit_open") from error
    try:
        result = call(*args, **kwargs)
    except NotFoundError as error:
        breaker_success()
        raise PaymentNotFound() from error
    except REFUSALS as error:
        breaker_success()
        logger.warning("YooKassa refused %s: %r", name, error)
        raise PaymentUnavailable() from error
    except Exception as error:
        # The SDK turns network errors into AttributeError; its own errors carry the API's answer.
        breaker_failure()
        logger.warning("YooKassa call %s failed: %r", name, error)
        raise PaymentUnavailable() from error
    breaker_success()
    return result


def idempotence_key(order, purpose: str) -> str:
    """A key derived from the order's own, the same for the same purpose every time."""
    return str(uuid.uuid5(order.payment_idempotence_key, purpose))


def payment_find(payment_id: str):
    """The payment as the API has it now."""
    return yookassa_call(TimedPayment.find_one, payment_id)
