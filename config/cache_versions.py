"""Exact invalidation of cached reads through version tokens in the shared cache.

A cached read names the versions it depends on (`catalog`, `product:42`, `pages`); its cache key carries their
current tokens, so a writer invalidates every read of a thing at once by giving its version a new token. Tokens
are random, never counters: a version that the cache evicted or lost comes back as a new token, so an old body
can never be served under it again.

Versions live in the `default` cache (Redis when `REDIS_URL` is set, so every process and instance sees a bump);
the bodies themselves live in a small cache of each process (`local`) and, behind it, in the shared one. With
Redis, each bump is also pushed to every process (`config.version_feed`), which then reads versions from memory:
a bump shows in other processes within `CATALOG_VERSIONS_STALENESS` seconds, in its own at once. Without Redis
every read asks the shared cache (the database's table), and is exact.

A writer bumps once its transaction commits (at once outside one), never while it holds row locks: a reader
that read the old rows before the commit stored them under the old token, which nobody asks for any more. Reads
made inside a transaction (which may see its own uncommitted writes) neither use nor fill the cache.
"""

import contextvars
import hashlib
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from config.version_feed import VersionFeed

_PREFIX = "ver:"
# Bodies in the shared cache expire on their own: their versions move on and they are never read again.
BODY_TIMEOUT = 600


def _token() -> str:
    return uuid.uuid4().hex[:16]


_feed: VersionFeed | None = None
# The cached bodies a request looked up, {full key: (names, tokens, found or stored)}: the front cache stores a
# response made of such bodies whole, under their versions (`config.front_cache`).
bodies_read: contextvars.ContextVar[dict | None] = contextvars.ContextVar("bodies_read", default=None)


def version_feed() -> VersionFeed | None:
    """This process's feed of pushed versions (started on first use), or None without Redis."""
    global _feed
    if not (settings.REDIS_URL and settings.CATALOG_VERSIONS_PUSHED):
        return None
    if _feed is None or _feed.url != settings.REDIS_URL:
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        _feed = VersionFeed(
            url=settings.REDIS_URL,
            channel=f"{prefix}:cache-versions",
            staleness=settings.CATALOG_VERSIONS_STALENESS,
        )
    return _feed.start()


def versions_get(*, names: Iterable[str]) -> tuple[str, ...]:
    """The current tokens of these versions: from memory when pushed to this process and fresh, else one round
    trip to the shared cache."""
    names = tuple(names)
    feed = version_feed()
    if feed is None:
        return _versions_read(names)
    tokens = feed.tokens(names)
    if tokens is None:
        mark = feed.mark()
        tokens = _versions_read(names)
        feed.learn(names, tokens, mark)
    return tokens


def _versions_read(names: tuple[str, ...]) -> tuple[str, ...]:
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
    """Invalidate every cached read of these versions once the current transaction commits.

    Bumps asked one after another in the same savepoint join into one (a write of three stock rows is one round
    trip after commit, not three): they are kept or rolled back together anyway.
    """
    names = list(dict.fromkeys(names))
    if not names:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and connection.run_on_commit:
        savepoints, last, _ = connection.run_on_commit[-1]
        pending = getattr(last, "versions", None)
        if pending is not None and savepoints == set(connection.savepoint_ids):
            pending.update(dict.fromkeys(names))
            return

    def bump():
        _bump(list(bump.versions))

    bump.versions = dict.fromkeys(names)
    transaction.on_commit(bump, robust=True)


def _bump(names: list[str]) -> None:
    tokens = {name: _token() for name in names}
    caches["default"].set_many({_PREFIX + name: token for name, token in tokens.items()}, timeout=None)
    feed = version_feed()
    # While Redis is away (the shared cache stands in with the database) nobody listens: a publish would only wait.
    if feed is not None and not getattr(caches["default"], "is_down", False):
        feed.publish(tokens)


def cached_body_find(*, key: str, versions: Iterable[str]) -> tuple[str, bytes | None]:
    """The full key of `key` under the current tokens of `versions`, and the body stored there if any.

    Read the tokens (this) before reading the rows a body shows, and store the body under the key returned here
    (`cached_body_store`): a body is then never stored under a token newer than its rows.
    """
    if transaction.get_connection().in_atomic_block:
        return "", None
    names = tuple(versions)
    tokens = versions_get(names=names)
    # Addresses may be long and carry anything: the key is their digest.
    full_key = "body:" + hashlib.blake2b(f"{key}|{'|'.join(tokens)}".encode(), digest_size=20).hexdigest()
    body = caches["local"].get(full_key)
    if body is None:
        body = caches["default"].get(full_key)
        if body is not None:
            caches["local"].set(full_key, body, timeout=BODY_TIMEOUT)
    read = bodies_read.get()
    if read is not None:
        read[full_key] = (names, tokens, body is not None)
    return full_key, body


def cached_body_store(*, full_key: str, body: bytes) -> None:
    if not full_key:  # read inside a transaction
        return
    caches["default"].set(full_key, body, timeout=BODY_TIMEOUT)
    caches["local"].set(full_key, body, timeout=BODY_TIMEOUT)
    read = bodies_read.get()
    if read is not None and full_key in read:
        read[full_key] = (*read[full_key][:2], True)


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
