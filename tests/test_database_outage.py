"""The database stops answering: a fast 503 (JSON for the API, a short Russian page for the storefront), and the
shop recovers by itself once it is back; on PostgreSQL the test cuts the live server's own connections."""

import urllib.request

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client

from catalog.tests.factories import ProductFactory
from orders.tests.test_concurrency_http import gunicorn  # noqa: F401 - the fixture: the shop on gunicorn


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    monkeypatch.setattr(CursorWrapper, "executemany", refuse)


@pytest.mark.django_db
def test_the_api_answers_503_json_while_the_database_is_down(client, database_down):
    response = client.get("/api/v1/products/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "detail": "Сервис временно недоступен: база данных не отвечает. Повторите через несколько секунд.",
        "code": "database_unavailable",
    }


@pytest.mark.django_db
def test_a_storefront_page_is_a_short_russian_503(client, database_down):
    response = client.get("/")
    assert response.status_code == 503
    assert "Магазин временно недоступен" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_are_not_hidden_as_outages(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    client.raise_request_exception = False
    assert client.get("/api/v1/products/").status_code == 500


def get(url: str) -> int:
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=10) as answer:
        return answer.status


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_shop_recovers_when_its_connections_are_cut(gunicorn):  # noqa: F811 - the imported fixture
    """gunicorn (3 workers, 4 threads each) keeps its connections between requests, as in production."""
    assert settings.DATABASES["default"].get("CONN_HEALTH_CHECKS")
    ProductFactory()
    before = [get(f"{gunicorn}/api/v1/products/") for _ in range(24)]
    assert set(before) == {200}

    # What a PostgreSQL restart does to the shop: every connection to its database is cut.
    connection.ensure_connection()
    params = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
    with psycopg.connect(**params, autocommit=True) as admin:
        cut = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s",
            [connection.connection.info.backend_pid],
        ).fetchone()[0]
    assert cut >= 1

    # Each kept connection is found dead by its health check and replaced: no error, no restart.
    after = [get(f"{gunicorn}/api/v1/products/") for _ in range(24)] + [get(f"{gunicorn}/")]
    assert set(after) == {200}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("address", ["/", "/api/v1/products/"])
def test_a_page_kept_whole_is_a_503_too_when_its_versions_cannot_be_read(monkeypatch, address):
    """The front cache reads the versions (from the database without Redis) above the middleware that turns a
    failed query into a 503: the outage answer is given there as well, never a 500."""
    ProductFactory()
    Client().get(address)
    Client().get(address)  # kept whole in this process
    with monkeypatch.context() as down:  # up again for the test's own clean-up
        down.setattr(CursorWrapper, "execute", _refused)
        down.setattr(CursorWrapper, "executemany", _refused)
        answer = Client(raise_request_exception=False).get(address)
    assert answer.status_code == 503 and answer["Retry-After"] == "5"


def _refused(*args, **kwargs):
    raise OperationalError("terminating connection due to administrator command")
