"""Two shop instances (two gunicorn processes on two ports) sharing PostgreSQL and Redis behave as one shop:
an edit or an order made through one is seen through the other within the stated bound (the versions of its
cached catalog reads are pushed to it, `CATALOG_VERSIONS_STALENESS`), and request-rate limits count across both.

Needs PostgreSQL and Redis (`TEST_REDIS_URL`, default `redis://127.0.0.1:6379/0`; every key of the run carries its
own prefix, nothing else in that database is touched).
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import UserFactory
from benchmarks.harness import free_port
from catalog.tests.factories import ProductFactory
from drops.pausing import sale_pause, sale_resume

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {REDIS_URL} (TEST_REDIS_URL)")
    return REDIS_URL


def _start(*, port: int, environment: dict, log_path: Path) -> subprocess.Popen:
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env={**environment, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return server


@pytest.fixture
def two_shops(redis_url, tmp_path):
    """Two gunicorn instances of the shop on the test database and one Redis; yields their base URLs."""
    db = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}",
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "THROTTLE_ENABLED": "true",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
    }
    ports = [free_port(), free_port()]
    servers = [_start(port=port, environment=environment, log_path=tmp_path / f"{port}.log") for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, server in zip(urls, servers, strict=True):
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/api/v1/health/", timeout=2):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError((tmp_path / f"{url[-5:]}.log").read_text()) from None
                    time.sleep(0.2)
        yield urls
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)


def _call(method: str, url: str, body=None, token: str = "") -> tuple[int, dict | str]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    text = raw.decode()
    return status, json.loads(text) if text.startswith(("{", "[")) else text


def _seen_within_the_bound(read, expected, *, bound: float = 1.0) -> None:
    """`read()` gives `expected` at most `bound` seconds (the default `CATALOG_VERSIONS_STALENESS`) after the
    write returned, plus the time of one read, and every read after that too."""
    written = time.monotonic()
    while (value := read()) != expected:
        started = time.monotonic()
        assert started - written <= bound, f"{value!r} is still served {started - written:.2f} s after the write"
        time.sleep(0.02)
    for _ in range(4):  # both workers of the instance
        assert read() == expected


def _token(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def test_an_edit_through_one_instance_is_seen_at_once_through_the_other(two_shops):
    one, other = two_shops
    product = ProductFactory(name="Худи общее", price="4990.00", stock={"M": 5})
    item, page = f"/api/v1/products/{product.pk}/", f"/products/{product.slug}/"
    # Warm the other instance's caches (both of its workers: every read goes to whichever accepts it).
    for _ in range(4):
        assert _call("GET", other + item)[1]["price"] == "4990.00"
        assert "4 990" in _call("GET", other + page)[1]
        assert _call("GET", other + "/api/v1/products/")[1]["results"][0]["stock"]["M"] == 5

    staff = _token(UserFactory(is_staff=True))
    assert _call("PATCH", one + item, {"price": "3990.00"}, token=staff)[0] == 200
    _seen_within_the_bound(lambda: _call("GET", other + item)[1]["price"], "3990.00")
    _seen_within_the_bound(lambda: "3 990" in _call("GET", other + page)[1], True)

    buyer = _token(UserFactory())
    order = {
        "items": [{"product": product.pk, "size": "M", "quantity": 2}],
        "delivery_address": "Москва, Тверская, 1",
    }
    assert _call("POST", one + "/api/v1/orders/", order, token=buyer)[0] == 201
    _seen_within_the_bound(lambda: _call("GET", other + item)[1]["stock"]["M"], 3)
    _seen_within_the_bound(lambda: _call("GET", other + "/api/v1/products/")[1]["results"][0]["stock"]["M"], 3)


def test_request_limits_count_across_instances(two_shops, settings):
    one, other = two_shops
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth_ip"].split("/")[0])
    statuses = [
        _call(
            "POST",
            (one, other)[n % 2] + "/api/v1/auth/login/",
            # Another phone each time: the per-address count is tested, not one account's lockout.
            {"phone": f"+79990001{n:03d}", "password": "wrong"},
        )[0]
        for n in range(limit + 1)
    ]
    # Each instance alone saw about half: only a shared count refuses the request past the limit.
    assert statuses[:limit] == [401] * limit
    assert statuses[limit] == 429


def test_a_pause_refuses_orders_on_both_instances_at_once(two_shops):
    one, other = two_shops
    product = ProductFactory(name="Худи на паузе", stock={"M": 10})
    buyer = _token(UserFactory())
    order = {
        "items": [{"product": product.pk, "size": "M", "quantity": 1}],
        "delivery_address": "Москва, Тверская, 1",
    }
    # Both instances have read the product (and cached its pages) before the pause.
    for url in (one, other):
        assert _call("POST", url + "/api/v1/orders/", order, token=buyer)[0] == 201
        assert "Продажа приостановлена" not in _call("GET", url + f"/products/{product.slug}/")[1]
    sale_pause(product_id=product.pk)
    for url in (one, other, one, other):
        status, body = _call("POST", url + "/api/v1/orders/", order, token=buyer)
        assert (status, body["code"]) == (409, "sale_paused")
    sale_resume(product_id=product.pk)
    for url in (one, other):
        assert _call("POST", url + "/api/v1/orders/", order, token=buyer)[0] == 201
