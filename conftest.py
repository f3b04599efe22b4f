"""Fixtures shared by every app's tests."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

pytest_plugins = ["orders.tests.yookassa_fixtures", "delivery.tests.cdek_fixtures"]

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… to run concurrency tests")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """Every test starts with an empty shared cache (the database's cache table, or Redis).

    The cache table is reached through the test's database access, so a test without one has no cache to clear;
    a transactional or live-server test keeps its rows, so it is cleared after too.
    """
    from django.core.cache import cache

    transactional = any(name in request.fixturenames for name in ("transactional_db", "live_server"))
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        transactional = True
    if not (transactional or marker or "db" in request.fixturenames):
        yield
        return
    from config.front_cache import front_cache_clear

    request.getfixturevalue("transactional_db" if transactional else "db")
    cache.clear()
    front_cache_clear()
    yield
    if transactional:
        cache.clear()


@pytest.fixture(scope="session")
def sqlite_schema(django_db_setup, django_db_blocker, tmp_path_factory):
    """A SQLite file with the shop's tables, made once per test process, for shops started as separate processes
    (`tests.gunicorn_server.gunicorn_shop(schema=...)`) that copy it."""
    from tests.gunicorn_server import sqlite_schema_write

    path = tmp_path_factory.mktemp("schema") / "db.sqlite3"
    with django_db_blocker.unblock():
        sqlite_schema_write(path)
    return path


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def staff_user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff(client, staff_user):
    """A browser session of a staff member, for the admin."""
    client.force_login(staff_user)
    return client


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def user_client(user):
    return client_for(user)


@pytest.fixture
def staff_client(staff_user):
    return client_for(staff_user)
