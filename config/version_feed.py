"""Cache versions pushed to every process by Redis pub/sub, so that a cached read asks Redis nothing.

A writer stores each bump (`name -> token`) in the shared cache, then publishes it on a channel. Every process
keeps a listener thread subscribed to that channel, which applies the bumps to a map in memory, and readers take
their tokens from the map. The bound on staleness comes from Redis answering one connection in order: the listener
sends a PING every `ping_every` seconds, and the PONG to a PING sent at time t comes after every message published
before t. So once that PONG is in, every bump published before t is in the map. Readers trust the map only while
that t is at most `staleness` seconds old: **a bump is seen by every process at most `staleness` seconds after its
writer published it** (its own process sees it at once). When the listener is behind, disconnected or still
starting, readers ask the shared cache, as they do without Redis: stale by at most the bound, never more.

What a process learns from the shared cache is kept unless a bump of that name came in meanwhile; the map is
emptied when the listener (re)subscribes, so nothing from before a gap in the feed survives it.
"""

import json
import logging
import os
import threading
import time
from collections.abc import Iterable

from django.conf import settings

logger = logging.getLogger(__name__)


class VersionFeed:
    def __init__(self, *, url: str, channel: str, staleness: float = 1.0, ping_every: float = 0.2):
        self.url = url
        self.channel = channel
        self.staleness = staleness
        self.ping_every = ping_every
        self._tokens: dict[str, str] = {}
        self._changed: dict[str, int] = {}  # name -> `_seq` when a bump of it was applied
        self._seq = 0
        self._cleared = 0  # `_seq` when the map was last emptied
        self._fresh_as_of = float("-inf")  # monotonic: every bump published before this is in the map
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._publisher = None
        # A forked child (a gunicorn worker of a preloaded app) has no listener thread: it starts its own.
        os.register_at_fork(after_in_child=self._forget_thread)

    def _forget_thread(self) -> None:
        self._thread = None
        self._publisher = None
        self._lock = threading.Lock()
        self._fresh_as_of = float("-inf")

    # --- readers -------------------------------------------------------------------------------------------
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def fresh(self) -> bool:
        return time.monotonic() - self._fresh_as_of <= self.staleness

    def mark(self) -> int:
        """Take before reading tokens from the shared cache; hand to `learn`."""
        return self._seq

    def tokens(self, names: Iterable[str]) -> tuple[str, ...] | None:
        """The tokens of `names` from memory, or None when the map is not fresh or lacks one of them."""
        if not self.fresh():
            return None
        tokens = self._tokens
        try:
            return tuple(tokens[name] for name in names)
        except KeyError:
            return None

    def learn(self, names: Iterable[str], tokens: Iterable[str], mark: int) -> None:
        """Keep tokens read from the shared cache after `mark`, unless the map was emptied or a bump of the
        name was applied since (the bump is newer than what was read)."""
        with self._lock:
            if self._cleared > mark:
                return
            for name, token in zip(names, tokens, strict=True):
                if token and self._changed.get(name, -1) <= mark:
                    self._tokens[name] = token

    # --- writers -------------------------------------------------------------------------------------------
    def publish(self, bumps: dict[str, str]) -> None:
        """Tell every process of these new tokens (after they are stored in the shared cache); this one at once."""
        self._apply(bumps)
        try:
            if self._publisher is None:
                import redis

                # The shared cache's short timeout: a silent Redis must not hold a write's after-commit work.
                timeout = getattr(settings, "CACHE_TIMEOUT", 0.3)
                self._publisher = redis.Redis.from_url(
                    self.url, socket_timeout=timeout, socket_connect_timeout=timeout
                )
            self._publisher.publish(self.channel, json.dumps(bumps))
        except Exception:  # the shared cache keeps the tokens: other processes fall back to reading them
            logger.warning("cache versions could not be published", exc_info=True)

    def _apply(self, bumps: dict[str, str]) -> None:
        with self._lock:
            self._seq += 1
            for name, token in bumps.items():
                self._tokens[name] = token
                self._changed[name] = self._seq

    def _clear(self) -> None:
        with self._lock:
            self._seq += 1
            self._cleared = self._seq
            self._tokens.clear()
            self._changed.clear()

    # --- the listener --------------------------------------------------------------------------------------
    def start(self) -> "VersionFeed":
        """Start the listener thread of this process, unless it runs."""
        if self._thread is not None:
            return self
        with self._lock:
            if self._thread is not None:
                return self
            self._stop.clear()
            self._fresh_as_of = float("-inf")
            self._thread = threading.Thread(target=self._listen, name="cache-version-feed", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None
        self._fresh_as_of = float("-inf")

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except Exception:
                logger.warning("cache version feed lost; reconnecting", exc_info=True)
            self._fresh_as_of = float("-inf")
            self._stop.wait(1)

    def _follow(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=10)
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(self.channel)
            pings: dict[str, float] = {}
            subscribed = False
            number, next_ping = 0, 0.0
            while not self._stop.is_set():
                now = time.monotonic()
                if now >= next_ping:
                    if pings and now - min(pings.values()) > max(5.0, 10 * self.ping_every):
                        raise ConnectionError("Redis does not answer the feed's PINGs")
                    number += 1
                    pings[str(number)] = now
                    pubsub.ping(str(number))
                    next_ping = now + self.ping_every
                message = pubsub.get_message(timeout=max(0.0, next_ping - time.monotonic()))
                if message is None:
                    continue
                if message["type"] == "message":
                    self._apply(json.loads(message["data"]))
                elif message["type"] == "pong":
                    data = message["data"]
                    sent = pings.pop(data.decode() if isinstance(data, bytes) else data, None)
                    if sent is None:
                        continue
                    for key in [key for key, at in pings.items() if at < sent]:
                        del pings[key]
                    if not subscribed:
                        # The first PONG follows the subscription: forget all that could predate it.
                        self._clear()
                        subscribed = True
                    self._fresh_as_of = max(self._fresh_as_of, sent)
        finally:
            pubsub.close()
            client.close()
