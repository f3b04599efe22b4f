"""How many sign-in codes may be sent: per client address, for the whole shop and per phone (an SMS costs money).

One code a minute and 5 an hour per phone; 20 an hour and `SMS_ADDRESS_DAILY` a day per client network (an IPv4
/24 or an IPv6 /64, `config.client_ip.address_network`: neighbouring addresses cost an attacker nothing);
`SMS_DAILY_LIMIT` a day for the whole shop, of which a reserve (`SMS_DAILY_RESERVE_PERCENT`) only phones with an
account may use, so a flood of code requests for unknown numbers can never stop the shop's customers from signing
in (order notifications are not codes and never count here).

The order is the point: the address's limits and the shop's budget are checked first, and a phone is counted
only when its code is sent. A client over its own limits therefore spends nothing of anyone else's: asking for
a stranger's number gets the client refused and leaves the stranger's allowance untouched. A budget taken for a
code that is then refused is given back.

Counts live in the shared cache (Redis when `REDIS_URL` is set), so every worker sees the same numbers. Windows are
fixed (the current minute after the last code, the current clock hour, the Moscow day): simple, shared, and the
wait they announce is exact. These limits are apart from the password lockout, so a stranger's failed password
attempts never stop a customer from getting a code.
"""

import contextlib
import hashlib
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from config.client_ip import address_network
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


def _uncount(key: str) -> None:
    """Give back one count taken by `_count` for a code that is not sent after all."""
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
        cache.decr(key)


def _until_midnight() -> float:
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today + timedelta(days=1), datetime.min.time()))
    return (midnight - timezone.now()).total_seconds()


def sms_limit_take(*, phone: str, address: str, known: bool = False) -> int:
    """Count one code for this phone from this client address, or raise `SmsLimitReached` with the wait.

    `known` says the phone has an account: it may use the shop's reserve. Returns the seconds before the next
    code to this phone may be asked for.
    """
    if not settings.THROTTLE_ENABLED:
        return CODE_INTERVAL_SECONDS
    now = time.time()
    hour = int(now // HOUR)
    till_next_hour = (hour + 1) * HOUR - now
    interval_key = _key("interval", phone)
    # Nothing is counted against the phone before the address and the shop allow a code; a phone in its minute
    # is refused at once, though, so it never costs the address or the shop anything either.
    waiting_until = cache.get(interval_key)
    if waiting_until is not None:
        raise SmsLimitReached(
            "Новый код можно запросить через минуту.", code="sms_too_soon", retry_after=round(waiting_until - now)
        )
    if address:
        network = address_network(address)
        if _count(_key("address-hour", network, hour), HOUR) > ADDRESS_HOURLY:
            raise SmsLimitReached("Слишком много запросов кода. Попробуйте позже.", retry_after=till_next_hour)
        today = timezone.localdate().isoformat()
        if _count(_key("address-day", network, today), DAY + HOUR) > settings.SMS_ADDRESS_DAILY:
            raise SmsLimitReached("Слишком много запросов кода. Попробуйте завтра.", retry_after=_until_midnight())
    day_key = _key("day", timezone.localdate().isoformat())
    reserve = settings.SMS_DAILY_LIMIT * settings.SMS_DAILY_RESERVE_PERCENT // 100
    budget = settings.SMS_DAILY_LIMIT if known else settings.SMS_DAILY_LIMIT - reserve
    if _count(day_key, DAY + HOUR) > budget:
        _uncount(day_key)  # a refusal spends none of the budget: the reserve stays whole for customers
        raise SmsLimitReached(
            "Отправка кодов на сегодня приостановлена. Войдите по паролю или попробуйте завтра.",
            code="sms_daily_limit",
            retry_after=_until_midnight(),
        )
    # Now the phone: its hour, then its minute (taken atomically: of two requests racing, one sends).
    phone_hour_key = _key("phone-hour", phone, hour)
    if _count(phone_hour_key, HOUR) > PHONE_HOURLY:
        _uncount(phone_hour_key)
        _uncount(day_key)
        raise SmsLimitReached(
            "На этот номер отправлено слишком много кодов. Попробуйте позже.", retry_after=till_next_hour
        )
    if not cache.add(interval_key, now + CODE_INTERVAL_SECONDS, CODE_INTERVAL_SECONDS):
        _uncount(phone_hour_key)
        _uncount(day_key)
        until = cache.get(interval_key) or now + CODE_INTERVAL_SECONDS
        raise SmsLimitReached(
            "Новый код можно запросить через минуту.", code="sms_too_soon", retry_after=round(until - now)
        )
    return CODE_INTERVAL_SECONDS
