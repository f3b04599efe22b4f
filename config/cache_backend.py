"""The shared cache as a speed-up, never a single point of failure.

`FallbackRedisCache` is Django's `RedisCache` with three differences:
- every call has short socket timeouts (`socket_connect_timeout`, `socket_timeout` in `OPTIONS`), so a Redis that
  is gone, or that accepts and never answers, costs a request at most one short wait;
- a Redis error is not the request's error: the call is made on the `FALLBACK` cache instead (the database's
  cache table), so reads are misses or the database's copy, and counts (login limits, throttles, the SMS
  budget, the payment breaker) go on being counted, in the database, by every process alike;
- after an error Redis is left alone for `RETRY_AFTER` seconds (each process keeps that moment for itself, it
  is a fact about its own connection), so a slow Redis costs one timeout per process per period, not one per call.

Keys written or deleted while Redis was away are deleted from Redis when it answers again: a version token
bumped meanwhile (`config.cache_versions`) then comes back as a new token instead of the old one, so no body
cached before the outage is served after it. Each process remembers what it wrote; and since the fallback is
written only while Redis is away, every key the fallback holds was written then, by some process: a process
that sees Redis answer (again, or for the first time since it started) drops those keys from both, so what a
process wrote before it stopped is dropped by the next one.
"""

import contextlib
import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connections, router

logger = logging.getLogger("dwc.cache")

# Keys remembered for deletion on recovery, at most (a long outage under a flood of distinct keys stays bounded).
FORGET_AT_MOST = 10_000


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self._fallback_alias = options.pop("FALLBACK", None)
        self._retry_after = float(options.pop("RETRY_AFTER", 5))
        options.setdefault("socket_connect_timeout", 0.3)
        options.setdefault("socket_timeout", 0.3)
        super().__init__(server, {**params, "OPTIONS": options})
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._written_while_down: set[tuple[str, int | None]] = set()  # (key, version)
        self._fallback_cleared = False  # whether this process has dropped the fallback's keys since it started

    # --- health -------------------------------------------------------------------------------------------------
    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def ping(self) -> bool:
        """Whether Redis answers now (for `health/`); an answer ends the pause, an error starts one."""
        try:
            self._cache.get_client(None, write=False).ping()
        except Exception as error:  # noqa: BLE001 - redis-py raises its own and OSError subclasses
            self._mark_down(error)
            return False
        self._recovered()
        return True

    def _mark_down(self, error: Exception) -> None:
        with self._lock:
            first = not self.is_down
            self._down_until = time.monotonic() + self._retry_after
        if first:
            logger.warning(
                "Redis cache unavailable (%s): using the fallback cache for %ss", error, self._retry_after
            )

    def _recovered(self) -> None:
        with self._lock:
            keys, self._written_while_down = list(self._written_while_down), set()
            self._fallback_cleared = True
        fallback = self._fallback_table()
        made = {self.make_key(key, version=version) for key, version in keys} | set(self._fallback_keys(fallback))
        if not made:
            return
        try:
            self._cache.delete_many(list(made))
        except self._cache._lib.RedisError as error:
            with self._lock:
                self._written_while_down.update(keys)
                self._fallback_cleared = False
            self._mark_down(error)
            return
        if fallback is not None:
            # The fallback's copies go too: the next outage starts from fresh tokens, not from these. (A database
            # that is away keeps them; the next recovery drops them.)
            with contextlib.suppress(DatabaseError):
                fallback._base_delete_many(list(made))
        logger.warning("Redis cache answers again: %d keys written meanwhile were dropped from it", len(made))

    def _fallback_table(self) -> DatabaseCache | None:
        fallback = caches[self._fallback_alias] if self._fallback_alias is not None else None
        return fallback if isinstance(fallback, DatabaseCache) else None

    def _fallback_keys(self, fallback: DatabaseCache | None) -> list[str]:
        """This shop's keys in the fallback's table (made keys, as Redis names them too); none while the database
        is away: Redis is not to blame for that, and the next recovery reads them."""
        if fallback is None:
            return []
        connection = connections[router.db_for_read(fallback.cache_model_class)]
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT cache_key FROM {connection.ops.quote_name(fallback._table)}")
                rows = cursor.fetchmany(FORGET_AT_MOST)
        except DatabaseError:
            return []
        prefix = f"{self.key_prefix}:"
        return [key for (key,) in rows if key.startswith(prefix)]

    def _remember(self, keys) -> None:
        with self._lock:
            if len(self._written_while_down) < FORGET_AT_MOST:
                self._written_while_down.update(keys)

    # --- every call: Redis, or the fallback ------------------------------------------------------------------------
    def _call(self, name: str, args: tuple, kwargs: dict, *, writes=(), default=None):
        if not self.is_down:
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except self._cache._lib.RedisError as error:
                self._mark_down(error)
            else:
                if self._written_while_down or not self._fallback_cleared:
                    self._recovered()
                return result
        if writes:
            self._remember((key, kwargs.get("version")) for key in writes)
        if self._fallback_alias is None:
            return default
        return getattr(caches[self._fallback_alias], name)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", (key, value, timeout), {"version": version}, writes=[key], default=False)

    def get(self, key, default=None, version=None):
        return self._call("get", (key, default), {"version": version}, default=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", (key, value, timeout), {"version": version}, writes=[key])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", (key, timeout), {"version": version}, default=False)

    def delete(self, key, version=None):
        return self._call("delete", (key,), {"version": version}, writes=[key], default=False)

    def get_many(self, keys, version=None):
        return self._call("get_many", (keys,), {"version": version}, default={})

    def has_key(self, key, version=None):
        return self._call("has_key", (key,), {"version": version}, default=False)

    def incr(self, key, delta=1, version=None):
        if self.is_down and self._fallback_alias is None:
            raise ValueError(f"Key '{key}' not found")  # what a miss is for incr
        return self._call("incr", (key, delta), {"version": version}, writes=[key])

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)
        return self._call("set_many", (data, timeout), {"version": version}, writes=keys, default=[]) or []

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._call("delete_many", (keys,), {"version": version}, writes=keys)

    def clear(self):
        return self._call("clear", (), {})
