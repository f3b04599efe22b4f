"""Whole catalog responses for visitors without a session, answered at the top of the middleware stack.

A catalog read of a visitor with no session, no pending message and no `Authorization` is made from cached bodies
(`config.cache_versions`) and is the same for every such visitor. The first time, the response goes out through
every middleware (security headers, the content security policy, `Vary`…) and this middleware, near the top,
keeps it whole — status, headers and body — in this process's memory, under the versions of the bodies it was made
of. The next such GET of the same address is answered from memory as soon as those versions are checked (from
memory too when Redis pushes them, see `config.version_feed`): no URL resolution, session, CSRF, authentication,
content security policy or view runs.

Only what is surely shared is kept: a 200 made of cached bodies only, each found or stored under the versions
read before its rows, setting no cookie. Reads inside a transaction neither use nor fill it.
"""

import threading
from collections import OrderedDict

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.http import HttpResponse
from prometheus_client import Counter

from config.cache_versions import bodies_read, versions_get

ANSWERS = Counter(
    "dwc_front_cache_answers",
    "Catalog reads of visitors without a session, by how the front cache answered them.",
    ["result"],
)
_HIT, _MISS = ANSWERS.labels("hit"), ANSWERS.labels("miss")

# This process's responses, {address: (version names, tokens, status, headers, body)}; the oldest stored goes first.
_entries: OrderedDict[str, tuple] = OrderedDict()
_lock = threading.Lock()


def front_cache_clear() -> None:
    with _lock:
        _entries.clear()


def _address(request) -> str:
    # The raw host: a host that is not allowed never got a 200 to keep, so it finds nothing here.
    meta = request.META
    return f"{request.scheme}://{meta.get('HTTP_HOST', '')}{request.path}?{meta.get('QUERY_STRING', '')}"


class FrontCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.max_entries = settings.CACHES.get("local", {}).get("OPTIONS", {}).get("MAX_ENTRIES", 300)

    def __call__(self, request):
        if not (
            settings.CATALOG_CACHE
            and request.method == "GET"
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES
            and not transaction.get_connection().in_atomic_block
            # A cross-origin read's answer carries CORS headers made for its origin: it is not everybody's.
            and "HTTP_ORIGIN" not in request.META
        ):
            return self.get_response(request)
        entry = _entries.get(_address(request))
        if entry is not None:
            names, tokens, status, headers, body = entry
            if versions_get(names=names) == tokens:
                _HIT.inc()
                return HttpResponse(body, status=status, headers=headers)
        _MISS.inc()
        reading = bodies_read.set({})
        try:
            response = self.get_response(request)
            read = bodies_read.get()
        finally:
            bodies_read.reset(reading)
        # Under the address the view answered: catalog views keep only the parameters they know
        # (`config.cache_keys.request_known_only`), so junk in a query string adds no entry.
        self._keep(_address(request), read, response)
        return response

    def _keep(self, key: str, read: dict, response) -> None:
        if not read or response.status_code != 200 or response.cookies or response.streaming:
            return
        versions: dict[str, str] = {}
        for names, tokens, kept in read.values():
            if not kept:
                return
            for name, token in zip(names, tokens, strict=True):
                if versions.setdefault(name, token) != token:
                    return  # the bodies were read under different tokens of one version
        entry = (tuple(versions), tuple(versions.values()), 200, dict(response.items()), response.content)
        with _lock:
            _entries[key] = entry
            _entries.move_to_end(key)
            while len(_entries) > self.max_entries:
                _entries.popitem(last=False)
