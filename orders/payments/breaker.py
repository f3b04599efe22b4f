"""A circuit breaker around YooKassa, its state in the shared cache so that every process sees it.

After `YOOKASSA_BREAKER_FAILURES` failed calls in a row (network errors, timeouts, 5xx answers: YooKassa is
down or hung, not a refusal of one request) the circuit opens: for `YOOKASSA_BREAKER_RESET` seconds every call
fails at once with `PaymentUnavailable`, costing no request any waiting. Then one trial call is let through
(one for all processes: the trial is claimed with an atomic `cache.add`); its success closes the circuit, its
failure opens it again.

pybreaker holds its lock for the whole call, so one hung call would queue every thread of a worker behind it;
the few lines here keep calls concurrent.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("dwc.payments")

FAILURES = "yookassa:breaker:failures"
OPEN_UNTIL = "yookassa:breaker:open_until"
TRIAL = "yookassa:breaker:trial"
# The keys outlive any reset timeout; a cache that loses them simply closes the circuit.
KEY_TTL = 24 * 60 * 60


class CircuitOpen(Exception):
    """YooKassa failed too often lately: the call was not made."""


def breaker_before_call() -> None:
    """Raise `CircuitOpen` while the circuit is open; after the reset timeout let one trial call through."""
    state = cache.get_many([FAILURES, OPEN_UNTIL])
    open_until = state.get(OPEN_UNTIL)
    if open_until is None:
        return
    if time.time() < open_until:
        raise CircuitOpen()
    # Half-open: whoever claims the trial calls; the others fail fast until it has answered.
    if not cache.add(TRIAL, 1, timeout=int(settings.YOOKASSA_TIMEOUT) + 5):
        raise CircuitOpen()


def breaker_success() -> None:
    """A call went through: the circuit closes (only a write when it had counted failures)."""
    if cache.get_many([FAILURES, OPEN_UNTIL]):
        cache.delete_many([FAILURES, OPEN_UNTIL, TRIAL])
        logger.info("YooKassa answers again: circuit closed")


def breaker_failure() -> None:
    """A call failed because YooKassa is unwell: count it; enough in a row (or a failed trial) open the circuit."""
    cache.add(FAILURES, 0, timeout=KEY_TTL)
    try:
        failures = cache.incr(FAILURES)
    except ValueError:  # the key expired between add and incr
        cache.set(FAILURES, 1, timeout=KEY_TTL)
        failures = 1
    trial_failed = cache.get(OPEN_UNTIL) is not None
    if failures >= settings.YOOKASSA_BREAKER_FAILURES or trial_failed:
        cache.set(OPEN_UNTIL, time.time() + settings.YOOKASSA_BREAKER_RESET, timeout=KEY_TTL)
        cache.delete(TRIAL)
        logger.warning(
            "YooKassa failed %d times in a row: circuit open for %s s", failures, settings.YOOKASSA_BREAKER_RESET
        )


def breaker_state() -> str:
    """`closed`, `open` or `half-open`, for the admin, the health check and tests."""
    open_until = cache.get(OPEN_UNTIL)
    if open_until is None:
        return "closed"
    return "open" if time.time() < open_until else "half-open"
