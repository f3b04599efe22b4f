"""Catalog reads of visitors without a session are kept whole and answered at the top of the middleware stack;
with Redis, cache versions are pushed to every process, which sees a bump within the stated bound.

The feed tests need Redis (`TEST_REDIS_URL`, default `redis://127.0.0.1:6379/0`; each test uses a channel of its
own and stores nothing).
"""

import os
import time
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import ProductFactory
from config.front_cache import ANSWERS
from config.version_feed import VersionFeed

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STALENESS = 0.5


def _hits() -> float:
    return ANSWERS.labels("hit")._value.get()


@pytest.mark.django_db(transaction=True)
def test_a_catalog_read_is_answered_whole_before_the_middleware_below():
    product = ProductFactory(stock={"M": 2})
    for address in ("/api/v1/products/", f"/api/v1/products/{product.pk}/", "/", f"/products/{product.pk}/"):
        first = Client().get(address)
        hits = _hits()
        with CaptureQueriesContext(connection) as queries:
            again = Client().get(address)
        assert _hits() == hits + 1, address
        assert again.status_code == 200 and again.content == first.content
        # Stored whole: every header the stack below added (security, content policy…), but the request's own id.
        same = {k: v for k, v in first.items() if k != "X-Request-ID"}
        assert {k: v for k, v in again.items() if k != "X-Request-ID"} == same
        assert again["X-Request-ID"] != first["X-Request-ID"]
        assert "Content-Security-Policy" in again and not again.cookies
        # Only the versions are read (a query of the cache table without Redis; nothing with Redis).
        assert len(queries.captured_queries) <= 1
        assert all("dwc_cache" in query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_visitors_with_a_session_or_a_token_are_never_answered_from_it(client, user):
    product = ProductFactory(stock={"M": 2})
    address = f"/api/v1/products/{product.pk}/"
    Client().get(address)
    Client().get(address)
    hits = _hits()
    client.force_login(user)
    assert client.get(address).status_code == 200
    assert Client().get(address, HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    assert _hits() == hits


@pytest.mark.django_db(transaction=True)
def test_junk_in_query_strings_adds_no_entry_and_cross_origin_reads_pass_by(settings):
    from config import front_cache

    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:3000", "https://app.example"]
    ProductFactory(stock={"M": 2})
    front_cache.front_cache_clear()
    Client().get("/api/v1/products/")
    for n in range(5):
        assert Client().get("/api/v1/products/", {"junk": n}).status_code == 200
    assert [key.rpartition("/api/")[2] for key in front_cache._entries] == ["v1/products/?"]
    Client().get("/")
    Client().get("/", {"junk": "x"})
    assert len(front_cache._entries) == 2  # the storefront's catalog page too: one entry

    # An answer made for one origin is never replayed to another (nor one made for none to a browser app).
    one = Client().get("/api/v1/products/", HTTP_ORIGIN="http://localhost:3000")
    other = Client().get("/api/v1/products/", HTTP_ORIGIN="https://app.example")
    assert one["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert other["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Access-Control-Allow-Origin" not in Client().get("/api/v1/products/")


# --- Versions pushed by Redis pub/sub ------------------------------------------------------------------------------
@pytest.fixture
def feeds():
    """Two feeds on one new channel, as two processes of one shop would have; both fresh."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {REDIS_URL} (TEST_REDIS_URL)")
    channel = f"test-versions-{uuid.uuid4().hex[:8]}"
    started = [VersionFeed(url=REDIS_URL, channel=channel, staleness=STALENESS, ping_every=0.05) for _ in range(2)]
    for feed in started:
        feed.start()
    deadline = time.monotonic() + 10
    while not all(feed.fresh() for feed in started):
        assert time.monotonic() < deadline, "the feeds did not connect"
        time.sleep(0.01)
    yield started
    for feed in started:
        feed.stop()


def test_a_bump_reaches_another_process_within_the_bound(feeds):
    here, there = feeds
    here.learn(["catalog"], ["old"], here.mark())
    assert here.tokens(["catalog"]) == ("old",)
    published = time.monotonic()
    there.publish({"catalog": "new"})
    assert there.tokens(["catalog"]) == ("new",)  # its own process sees it at once
    while here.tokens(["catalog"]) != ("new",):
        assert here.tokens(["catalog"]) in (("old",), None)
        assert time.monotonic() - published <= STALENESS
        time.sleep(0.005)


def test_a_process_whose_feed_stops_falls_back_within_the_bound(feeds):
    """A listener that is cut off (or falls behind) is trusted for at most the bound after its last answer: then
    readers ask the shared cache, so a bump it missed is never served from memory past the bound."""
    here, there = feeds
    here.learn(["catalog"], ["old"], here.mark())
    here.stop()
    published = time.monotonic()
    there.publish({"catalog": "new"})
    while (seen := here.tokens(["catalog"])) is not None:
        assert seen == ("old",)
        assert time.monotonic() - published <= STALENESS
        time.sleep(0.005)
    time.sleep(0.05)
    assert here.tokens(["catalog"]) is None


def test_a_token_read_before_a_bump_never_replaces_it(feeds):
    here, there = feeds
    mark = here.mark()  # a reader takes its mark, then reads "old" from the shared cache…
    there.publish({"catalog": "new"})
    deadline = time.monotonic() + STALENESS
    while here.tokens(["catalog"]) != ("new",):
        assert time.monotonic() < deadline
        time.sleep(0.005)
    here.learn(["catalog"], ["old"], mark)  # …and keeps it only if no bump came in meanwhile
    assert here.tokens(["catalog"]) == ("new",)
