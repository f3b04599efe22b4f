"""Request-rate limits against password guessing: per client address and per phone number.

API rates live in `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, the address brake on wrong passwords in
`LOGIN_ADDRESS_FAILURE_LIMIT` and `LOGIN_LOCKOUT_SECONDS`, registrations (the storefront's and the API's
together, per address network) in `REGISTER_RATE`;
`THROTTLE_ENABLED=false` turns every one of them off. Counts live in the default cache, which is shared by every
worker (Redis, or the database without `REDIS_URL`).

Wrong passwords per account are django-axes' lockout (`accounts.lockout`), the same for the admin, the storefront
and the API: a stranger guessing a customer's password can hold back password sign-ins for that phone for a while,
never a sign-in by a code sent to the phone.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from accounts.phones import phone_normalize
from config.client_ip import address_network, client_ip


class ShopRateThrottle(SimpleRateThrottle):
    """A rate limit that reads its rate at request time and steps aside when throttling is off."""

    def __init__(self):
        # The rate is resolved per request in allow_request(), so settings changes take effect at once.
        pass

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if not settings.THROTTLE_ENABLED:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class AuthIPThrottle(ShopRateThrottle):
    """Sign-in and registration attempts from one address."""

    scope = "auth_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class AuthPhoneThrottle(ShopRateThrottle):
    """Sign-in and registration attempts for one phone number, however it is written."""

    scope = "auth_phone"

    def get_cache_key(self, request, view):
        data = request.data
        raw = data.get("phone") if isinstance(data, dict) else None
        if not isinstance(raw, str) or not raw.strip():
            return None  # nothing to count against; the serializer refuses the request
        try:
            ident = phone_normalize(raw)
        except ValidationError:
            # Not a phone at all: still counted, under a cache-safe key.
            ident = hashlib.sha256(raw.encode(errors="replace")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- The storefront's forms ----------------------------------------------------------------------------------------
def _window_count(key: str, window: int) -> int:
    """How many times `key` was counted in its current window (which starts at its first count)."""
    entry = cache.get(key)
    if not entry or time.time() - entry[1] >= window:
        return 0
    return entry[0]


def _window_add(key: str, window: int) -> int:
    """Count one more for `key`; the window keeps its start, so steady attempts never extend a lockout."""
    now = time.time()
    entry = cache.get(key)
    count, started = (0, now) if not entry or now - entry[1] >= window else entry
    cache.set(key, (count + 1, started), timeout=max(1, int(started + window - now) + 1))
    return count + 1


def _login_address_key(ip: str) -> str:
    return f"login-fail:ip:{ip}"


def login_address_locked(*, ip: str) -> bool:
    """Whether password sign-in from this address waits: `LOGIN_ADDRESS_FAILURE_LIMIT` wrong passwords, for any
    phones, in `LOGIN_LOCKOUT_SECONDS` (the account's own lockout is django-axes', `accounts.lockout`)."""
    if not settings.THROTTLE_ENABLED or not ip:
        return False
    count = _window_count(_login_address_key(ip), settings.LOGIN_LOCKOUT_SECONDS)
    return count >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def login_address_failed(*, ip: str) -> None:
    """Count a wrong password against the address it came from."""
    if settings.THROTTLE_ENABLED and ip:
        _window_add(_login_address_key(ip), settings.LOGIN_LOCKOUT_SECONDS)


def register_attempt_take(*, ip: str) -> int:
    """Count a registration attempt from this address's network (an IPv4 /24, an IPv6 /64), on the storefront or
    the API alike: 0 while within `REGISTER_RATE`, else the seconds until the window ends."""
    if not settings.THROTTLE_ENABLED:
        return 0
    allowed, window = SimpleRateThrottle.parse_rate(None, settings.REGISTER_RATE)
    key = f"register:net:{address_network(ip)}"
    if _window_add(key, window) <= allowed:
        return 0
    entry = cache.get(key)
    return max(1, int(entry[1] + window - time.time()) + 1) if entry else window


def register_attempt_allowed(*, ip: str) -> bool:
    """Count a registration attempt from this address's network; False once it is past `REGISTER_RATE`."""
    return register_attempt_take(ip=ip) == 0


class RegisterThrottle(BaseThrottle):
    """The API's registrations, counted with the storefront's per address network (`register_attempt_take`)."""

    def allow_request(self, request, view):
        self.retry_after = register_attempt_take(ip=client_ip(request))
        return not self.retry_after

    def wait(self):
        return self.retry_after
