"""Login limits count in the shared cache: every worker, and every process, sees the same counts."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import RequestFactory

from accounts.throttles import login_address_failed, login_address_locked
from config.client_ip import address_network, client_ip
from tests.gunicorn_server import gunicorn_shop

pytestmark = pytest.mark.django_db


def test_the_default_cache_is_shared_without_redis():
    if django_settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: the cache is Redis")
    assert isinstance(caches["default"], DatabaseCache)


def test_two_cache_connections_count_together(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    other = caches.create_connection("default")
    assert other is not cache
    login_address_failed(ip="203.0.113.7")
    assert other.get("login-fail:ip:203.0.113.7")[0] == 1
    other.set("login-fail:ip:203.0.113.7", (2, other.get("login-fail:ip:203.0.113.7")[1]), 60)
    assert login_address_locked(ip="203.0.113.7")
    assert not login_address_locked(ip="198.51.100.1")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_process_sees_the_failures_counted_here(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for _ in range(2):
        login_address_failed(ip="203.0.113.7")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    script = (
        "import django; django.setup();"
        "from accounts.throttles import login_address_failed as f; f(ip='203.0.113.7')"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=django_settings.BASE_DIR)
    assert login_address_locked(ip="203.0.113.7")


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.2", "10.0.0.1"),
        (1, "198.51.100.2", "198.51.100.2"),
        (1, "6.6.6.6, 198.51.100.2", "198.51.100.2"),
        (2, "6.6.6.6, 198.51.100.2, 10.0.0.2", "198.51.100.2"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip_trusts_only_our_own_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_gunicorn_workers_count_api_logins_together(tmp_path, sqlite_schema):
    """Two worker processes, one lockout: from the 5th wrong password the account is locked, whichever worker
    takes the request, and the 11th attempt in a minute is throttled per phone too."""
    body = json.dumps({"phone": "+79161234567", "password": "wrong-password"}).encode()
    statuses = []
    with gunicorn_shop(
        tmp_path, workers=2, schema=sqlite_schema, THROTTLE_AUTH_PHONE="10/min", LOGIN_FAILURE_LIMIT="5"
    ) as base_url:
        for _ in range(14):
            request = urllib.request.Request(
                f"{base_url}/api/v1/auth/login/", data=body, headers={"Content-Type": "application/json"}
            )
            try:
                statuses.append(urllib.request.urlopen(request, timeout=10).status)
            except urllib.error.HTTPError as refusal:
                statuses.append(refusal.code)
    assert statuses == [401] * 4 + [429] * 10


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("198.51.100.7", "198.51.100.0/24"),
        ("198.51.100.250", "198.51.100.0/24"),
        ("2001:db8:0:1:abcd::9", "2001:db8:0:1::/64"),
        ("::ffff:198.51.100.7", "198.51.100.0/24"),
        ("not an address", "not an address"),
    ],
)
def test_per_address_limits_count_a_network(address, network):
    assert address_network(address) == network
