"""Exact invalidation of cached reads through version tokens in the shared cache.

A cached read names the versions it depends on (`catalog`, `product:42`, `pages`); its cache key carries their
current tokens, so a writer invalidates every read of a thing at once by giving its version a new token. Tokens
are random, never counters: a version that the cache evicted or lost comes back as a new token, so an old body
can never be served under it again.

Versions live in the `default` cache (Redis when `REDIS_URL` is set, so every process and instance sees a bump);
the bodies themselves live in a small cache of each process (`local`) and, behind it, in the shared one.

A writer bumps once its transaction commits (at once outside one), never while it holds row locks: a reader
that read the old rows before the commit stored them under the old token, which nobody asks for any more. Reads
made inside a transaction (which may see its own uncommitted writes) neither use nor fill the cache.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable

from django.core.cache import caches
from django.db import transaction

_PREFIX = "ver:"
# Bodies in the shared cache expire on their own: their versions move on and they are never read again.
BODY_TIMEOUT = 600


def _token() -> str:
    return uuid.uuid4().hex[:16]


def versions_get(*, names: Iterable[str]) -> tuple[str, ...]:
    """The current tokens of these versions (one round trip to the shared cache when all are known)."""
    shared = caches["default"]
    keys = [_PREFIX + name for name in names]
    found = shared.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            shared.add(key, _token(), timeout=None)  # another process may have just added its own: theirs wins
        found.update(shared.get_many(missing))
    return tuple(found.get(key, "") for key in keys)


def versions_bump(*, names: Iterable[str]) -> None:
    """Invalidate every cached read of these versions once the current transaction commits."""
    names = list(dict.fromkeys(names))
    if names:
        transaction.on_commit(lambda: _bump(names), robust=True)


def _bump(names: list[str]) -> None:
    caches["default"].set_many({_PREFIX + name: _token() for name in names}, timeout=None)


def cached_body_find(*, key: str, versions: Iterable[str]) -> tuple[str, bytes | None]:
    """The full key of `key` under the current tokens of `versions`, and the body stored there if any.

    Read the tokens (this) before reading the rows a body shows, and store the body under the key returned here
    (`cached_body_store`): a body is then never stored under a token newer than its rows.
    """
    if transaction.get_connection().in_atomic_block:
        return "", None
    tokens = versions_get(names=versions)
    # Addresses may be long and carry anything: the key is their digest.
    full_key = "body:" + hashlib.blake2b(f"{key}|{'|'.join(tokens)}".encode(), digest_size=20).hexdigest()
    body = caches["local"].get(full_key)
    if body is None:
        body = caches["default"].get(full_key)
        if body is not None:
            caches["local"].set(full_key, body, timeout=BODY_TIMEOUT)
    return full_key, body


def cached_body_store(*, full_key: str, body: bytes) -> None:
    if not full_key:  # read inside a transaction
        return
    caches["default"].set(full_key, body, timeout=BODY_TIMEOUT)
    caches["local"].set(full_key, body, timeout=BODY_TIMEOUT)


def cached_body(*, key: str, versions: Iterable[str], render: Callable[[], bytes | None]) -> bytes | None:
    """The body stored for `key` under the current tokens of `versions`, or `render()`'s, stored for next time.

    `render` returns None for what must not be cached (it is then rendered on every request).
    """
    full_key, body = cached_body_find(key=key, versions=versions)
    if body is None:
        body = render()
        if body is not None:
            cached_body_store(full_key=full_key, body=body)
    return body
