"""The shared cache is a speed-up, never a single point of failure (`config/cache_backend.py`).

Redis pointed at a dead port, or at a server that accepts and never answers: every page and API call still
answers (never a 500), an order placed meanwhile gets its payment, limits go on counting in the database, and
`health/` says `cache: down`. Junk query strings never add cache entries (`config/cache_keys.py`).
"""

import os
import socket
import threading
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from django.core.cache import caches
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from config.cache_backend import FallbackRedisCache
from conftest import client_for
from orders.models import Order

ADDRESS = "Москва, ул. Тверская, 1"


def redis_cache_settings(location: str, timeout: float = 0.3) -> dict:
    return {
        "default": {
            "BACKEND": "config.cache_backend.FallbackRedisCache",
            "LOCATION": location,
            "OPTIONS": {
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                "FALLBACK": "fallback",
                "RETRY_AFTER": 5,
            },
        },
        "fallback": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "dwc_cache"},
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outage-bodies"},
    }


@pytest.fixture
def redis_dead(settings):
    """`REDIS_URL` pointing at a port where nothing listens."""
    settings.CACHES = redis_cache_settings("redis://127.0.0.1:1/0")
    yield
    caches["default"].close()


@pytest.fixture
def redis_silent(settings):
    """A Redis that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{server.getsockname()[1]}/0", timeout=0.3)
    yield accepted
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()


def paid_in_fake(fake_yookassa, order):
    order.refresh_from_db()
    return order.payment_id and order.payment_id in fake_yookassa.payments


@pytest.mark.django_db
def test_with_redis_dead_every_read_and_order_answers(
    redis_dead, client, user, fake_yookassa, fake_cdek, django_capture_on_commit_callbacks
):
    assert isinstance(caches["default"], FallbackRedisCache)
    tee = ProductFactory(price=Decimal("1990.00"), stock={"M": 5})
    drop = ProductFactory(stock={"M": 5}, sale_starts_at=timezone.now() + timedelta(minutes=5), queue_enabled=True)
    api = client_for(user)
    answers = {
        "catalog page": client.get("/").status_code,
        "product page": client.get(tee.get_absolute_url()).status_code,
        "api list": client.get("/api/v1/products/").status_code,
        "api item": client.get(f"/api/v1/products/{tee.pk}/").status_code,
        "login page": client.get("/login/").status_code,
        "api login (wrong)": client.post(
            "/api/v1/auth/login/", {"phone": user.phone, "password": "wrong-pass"}, content_type="application/json"
        ).status_code,
        "queue join": api.post(f"/api/v1/products/{drop.pk}/queue/").status_code,
        "delivery points": client.get("/api/v1/delivery/points/", {"city": "Москва"}).status_code,
        "delivery quote": client.post(
            "/api/v1/delivery/quote/",
            {
                "items": [{"product": tee.pk, "size": "M", "quantity": 1}],
                "delivery_method": "courier",
                "city": "Москва",
            },
            content_type="application/json",
        ).status_code,
    }
    token = api.post(f"/api/v1/products/{drop.pk}/queue/").json()["token"]
    answers["queue read"] = api.get(f"/api/v1/products/{drop.pk}/queue/", {"token": token}).status_code
    with django_capture_on_commit_callbacks(execute=True):
        placed = api.post(
            "/api/v1/orders/",
            {
                "items": [{"product": tee.pk, "size": "M", "quantity": 1}],
                "delivery_address": ADDRESS,
                "city": "Москва",
            },
            format="json",
        )
    answers["order"] = placed.status_code
    answers["orders list"] = api.get("/api/v1/orders/").status_code
    assert not [name for name, code in answers.items() if code >= 500], answers
    assert answers["order"] == 201 and answers["api login (wrong)"] == 401
    order = Order.objects.get(order_number=placed.json()["order_number"])
    assert paid_in_fake(fake_yookassa, order)  # its payment was created (the task ran) despite Redis
    health = client.get("/api/v1/health/")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "cache": "down"}


@pytest.mark.django_db
def test_limits_count_in_the_database_while_redis_is_away(redis_dead, settings):
    settings.THROTTLE_ENABLED = True
    caches["default"].add("limit", 0, timeout=60)
    for _ in range(3):
        caches["default"].incr("limit")
    assert caches["fallback"].get("limit") == 3  # the count goes on, shared by every process through the table
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM dwc_cache")
        assert cursor.fetchone()[0] >= 1


@pytest.mark.django_db
def test_api_login_throttle_still_counts_with_redis_dead(redis_dead, client, user, settings):
    settings.THROTTLE_ENABLED = True
    codes = [
        client.post(
            "/api/v1/auth/login/", {"phone": user.phone, "password": "wrong-pass"}, content_type="application/json"
        ).status_code
        for _ in range(12)
    ]
    assert 429 in codes and 500 not in codes


@pytest.mark.django_db
def test_a_silent_redis_costs_one_short_wait_not_one_per_call(redis_silent, client):
    tee = ProductFactory(stock={"M": 5})
    started = time.monotonic()
    first = client.get(f"/api/v1/products/{tee.pk}/")
    first_took = time.monotonic() - started
    started = time.monotonic()
    for _ in range(3):
        assert client.get("/api/v1/products/").status_code == 200
    later_took = time.monotonic() - started
    assert first.status_code == 200
    # One 0.3 s timeout, then Redis is left alone (it took 5 s and a 500 before).
    assert first_took < 1.5, first_took
    assert later_took < 1.5, later_took
    assert client.get("/api/v1/health/").json()["cache"] == "down"


@pytest.mark.django_db
def test_one_failing_after_commit_hook_never_drops_the_payment(
    fake_yookassa, user, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(names):
        raise ConnectionError("the cache is gone")

    monkeypatch.setattr("config.cache_versions._bump", broken)
    tee = ProductFactory(price=Decimal("1990.00"), stock={"M": 5})
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        response = client_for(user).post(
            "/api/v1/orders/",
            {"items": [{"product": tee.pk, "size": "M", "quantity": 1}], "delivery_address": ADDRESS},
            format="json",
        )
    assert response.status_code == 201 and len(hooks) >= 2  # the catalog versions' bump, then the payment
    assert paid_in_fake(fake_yookassa, Order.objects.get())


# --- Keys from known parameters only --------------------------------------------------------------------------------
def cache_entries() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM dwc_cache WHERE cache_key LIKE %s", ["%body:%"])
        shared = cursor.fetchone()[0]
    return shared + len(caches["local"]._cache)


# Reads inside a transaction never use the cache: these run outside one, as a server does.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/api/v1/products/", "/"])
def test_junk_query_strings_add_no_cache_entries(client, path):
    ProductFactory.create_batch(3, stock={"M": 1})
    caches["local"].clear()
    assert client.get(path).status_code == 200
    canonical = cache_entries()
    assert canonical >= 1
    for n in range(100):
        assert client.get(path, {"junk": n, "utm_source": f"x{n}"}).status_code == 200
    assert cache_entries() == canonical


@pytest.mark.django_db(transaction=True)
def test_a_stored_list_carries_no_junk_in_its_links(client):
    ProductFactory.create_batch(3, stock={"M": 1})
    body = client.get("/api/v1/products/", {"page_size": 1, "evil": "x"}).json()
    assert body["next"] and "evil" not in body["next"]
    assert client.get("/api/v1/products/", {"page_size": 1}).json() == body
    assert len(client.get("/api/v1/products/", {"page_size": 2, "evil": "y"}).json()["results"]) == 2


# --- Recovery, against a real Redis ---------------------------------------------------------------------------------
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.3).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {url} (TEST_REDIS_URL)")
    return url


def _refuse(*args, **kwargs):
    raise redis.ConnectionError("gone")


@pytest.mark.django_db
def test_keys_written_while_redis_was_away_are_dropped_when_it_returns(settings, monkeypatch):
    """A version bumped during the outage must not come back as its old token (a stale body under it)."""
    url = redis_url()
    settings.CACHES = redis_cache_settings(url)
    settings.CACHES["default"]["KEY_PREFIX"] = settings.CACHES["fallback"]["KEY_PREFIX"] = f"t{uuid.uuid4().hex}"
    shared = caches["default"]
    try:
        shared.set("ver:catalog", "old", timeout=60)
        real = shared._cache.get_client

        def refuse(*args, **kwargs):
            raise redis.ConnectionError("gone")

        monkeypatch.setattr(shared._cache, "get_client", refuse)
        shared.set("ver:catalog", "new", timeout=60)  # the bump lands in the database meanwhile
        assert shared.get("ver:catalog") == "new" and shared.is_down
        monkeypatch.setattr(shared._cache, "get_client", real)
        shared._down_until = 0
        assert shared.get("something-else") is None  # Redis answers: what was written meanwhile goes
        assert shared.get("ver:catalog") is None and caches["fallback"].get("ver:catalog") is None
        assert not shared.is_down and shared.ping()
    finally:
        shared.delete_many(["ver:catalog", "something-else"])
        shared.close()


@pytest.mark.django_db
def test_what_a_process_wrote_before_it_stopped_is_dropped_by_the_next(settings, monkeypatch):
    """The writer of a bump during the outage exits before Redis returns: the next process drops the old token."""
    url = redis_url()
    settings.CACHES = redis_cache_settings(url)
    settings.CACHES["default"]["KEY_PREFIX"] = settings.CACHES["fallback"]["KEY_PREFIX"] = f"t{uuid.uuid4().hex}"
    params = {
        name: value for name, value in settings.CACHES["default"].items() if name not in ("BACKEND", "LOCATION")
    }
    stopped = FallbackRedisCache(url, params)
    successor = FallbackRedisCache(url, params)
    try:
        stopped.set("ver:catalog", "old", timeout=60)
        monkeypatch.setattr(stopped._cache, "get_client", _refuse)
        stopped.set("ver:catalog", "new", timeout=60)  # the bump lands in the database; then the process stops
        assert caches["fallback"].get("ver:catalog") == "new"

        assert successor.get("something-else") is None  # its first answer from Redis
        assert successor.get("ver:catalog") is None and caches["fallback"].get("ver:catalog") is None
    finally:
        successor.delete_many(["ver:catalog", "something-else"])
        successor.close()


@pytest.mark.django_db
def test_a_database_away_when_redis_answers_does_not_make_redis_look_down(settings, monkeypatch):
    """The first answer of Redis reads the fallback table; a database that is away then costs nothing."""
    url = redis_url()
    settings.CACHES = redis_cache_settings(url)
    settings.CACHES["default"]["KEY_PREFIX"] = settings.CACHES["fallback"]["KEY_PREFIX"] = f"t{uuid.uuid4().hex}"
    params = {
        name: value for name, value in settings.CACHES["default"].items() if name not in ("BACKEND", "LOCATION")
    }
    started = FallbackRedisCache(url, params)
    try:
        with monkeypatch.context() as away:
            away.setattr(CursorWrapper, "execute", _database_refuses)
            started.set("ver:catalog", "token", timeout=60)
            assert started.get("ver:catalog") == "token" and not started.is_down
    finally:
        started.delete("ver:catalog")
        started.close()


def _database_refuses(*args, **kwargs):
    raise OperationalError("the database is away")
