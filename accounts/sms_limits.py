"""How many sign-in codes may be sent: per phone, per client address and for the whole shop (an SMS costs money).

One code a minute and 5 an hour per phone, 20 an hour per address, `SMS_DAILY_LIMIT` a day in all (DESIGN.md).
Counts live in the shared cache (Redis when `REDIS_URL` is set), so every worker sees the same numbers. Windows are
fixed (the current minute after the last code, the current clock hour, the Moscow day): simple, shared, and the
wait they announce is exact. These limits are apart from the password login throttles, so a stranger's failed
password attempts never stop a customer from getting a code.
"""

import hashlib
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from config.errors import DomainError

CODE_INTERVAL_SECONDS = 60
PHONE_HOURLY = 5
ADDRESS_HOURLY = 20
HOUR = 60 * 60
DAY = 24 * HOUR


class SmsLimitReached(DomainError):
    """Too many codes asked for; `retry_after` says in how many seconds one may ask again."""

    status = 429
    code = "sms_limit"
    default_message = "Слишком много запросов кода. Попробуйте позже."

    def __init__(self, message: str | None = None, *, retry_after: int, **extra):
        super().__init__(
            message, retry_after=max(int(retry_after), 1), resend_after=max(int(retry_after), 1), **extra
        )
        self.retry_after = max(int(retry_after), 1)


def _key(*parts) -> str:
    return "sms-limit:" + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:40]


def _count(key: str, timeout: int) -> int:
    """Add one to a shared counter that lives `timeout` seconds from its first use; the new value."""
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def sms_limit_take(*, phone: str, address: str) -> int:
    """Count one code for this phone and client address, or raise `SmsLimitReached` with the wait.

    Returns the seconds before the next code to this phone may be asked for.
    """
    if not settings.THROTTLE_ENABLED:
        return CODE_INTERVAL_SECONDS
    now = time.time()
    # One a minute: the first request in a minute takes the slot atomically; the wait is read back from it.
    interval_key = _key("interval", phone)
    if not cache.add(interval_key, now + CODE_INTERVAL_SECONDS, CODE_INTERVAL_SECONDS):
        until = cache.get(interval_key) or now + CODE_INTERVAL_SECONDS
        raise SmsLimitReached(
            "Новый код можно запросить через минуту.", code="sms_too_soon", retry_after=round(until - now)
        )
    hour = int(now // HOUR)
    till_next_hour = (hour + 1) * HOUR - now
    if _count(_key("phone-hour", phone, hour), HOUR) > PHONE_HOURLY:
        raise SmsLimitReached(
            "На этот номер отправлено слишком много кодов. Попробуйте позже.", retry_after=till_next_hour
        )
    if address and _count(_key("address-hour", address, hour), HOUR) > ADDRESS_HOURLY:
        raise SmsLimitReached("Слишком много запросов кода. Попробуйте позже.", retry_after=till_next_hour)
    today = timezone.localdate()
    if _count(_key("day", today.isoformat()), DAY + HOUR) > settings.SMS_DAILY_LIMIT:
        midnight = timezone.make_aware(datetime.combine(today + timedelta(days=1), datetime.min.time()))
        raise SmsLimitReached(
            "Отправка кодов на сегодня приостановлена. Войдите по паролю или попробуйте завтра.",
            code="sms_daily_limit",
            retry_after=(midnight - timezone.now()).total_seconds(),
        )
    return CODE_INTERVAL_SECONDS
