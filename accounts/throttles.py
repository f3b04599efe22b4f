"""Request-rate limits against password guessing: per client IP and per phone number.

Rates live in `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`; `THROTTLE_ENABLED=false` turns every limit off.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.phones import phone_normalize


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the entry our own proxies appended to X-Forwarded-For.

    Only the last `TRUSTED_PROXY_COUNT` entries are written by proxies we run; anything before them is
    whatever the client chose to send, so it is never trusted.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote_addr
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote_addr
    return addresses[-min(proxies, len(addresses))]


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
