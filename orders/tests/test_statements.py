"""What one `POST orders/` costs the database: a test counts its statements (the speed itself is measured by
benchmarks/orders_http.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"delivery_address": "Москва, Тверская, 1"}


@pytest.fixture
def locmem_shared_cache(settings):
    """As in production: the shared cache as Redis would be (no SQL), tasks queued in the database (the payment
    is created by the worker, not in the test)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "statements"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_an_in_stock_order_takes_at_most_ten_statements(user, locmem_shared_cache, monkeypatch):
    # The payment's creation after commit (its own reads, YooKassa, or the task when YooKassa cannot answer) is
    # a step of its own, left out here; the answer still reads the payment's columns it may have changed.
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)
    product = ProductFactory(stock={"M": 50})
    client = client_for(user)
    body = {**BODY, "items": [{"product": product.pk, "size": "M", "quantity": 1}]}
    assert client.post("/api/v1/orders/", body, format="json").status_code == 201  # the profile is filled once
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201
    # Transaction control (BEGIN/COMMIT: SQLite's are logged, PostgreSQL's are not) is not counted.
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert len(statements) <= 10, "\n".join(statements)
    # No read-back of what was written (only the payment's columns, which the step after commit may change), no
    # audit row of the insert; the hot stock row is the last write before commit.
    read_back = ("orders_orderitem", "orders_orderevent", "preorders_preorderstatus", "orders_orderrefund")
    assert not [sql for sql in statements if sql.startswith("SELECT") and any(t in sql for t in read_back)]
    assert not [sql for sql in statements if "historicalorder" in sql]
    writes = [sql for sql in statements if sql.startswith(("INSERT", "UPDATE"))]
    stock_update = next(i for i, sql in enumerate(writes) if "catalog_productstock" in sql)
    assert not writes[stock_update + 1 :], writes
    # The answer is the order as it is stored.
    order = Order.objects.get(order_number=response.json()["order_number"])
    assert response.json()["items"][0]["quantity"] == 1 and order.items.get().quantity == 1
    assert response.json()["final_amount"] == str(order.final_amount) and response.json()["refunds"] == []


def test_a_repeated_checkout_key_gets_the_first_order_back(user, locmem_shared_cache):
    product = ProductFactory(stock={"M": 1})
    client = client_for(user)
    body = {**BODY, "items": [{"product": product.pk, "size": "M", "quantity": 1}]}
    first = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    # The unit is gone: the repeat is refused by no stock check, it gets the order its first submit placed.
    again = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert first.status_code == again.status_code == 201
    assert again.json()["order_number"] == first.json()["order_number"]
    assert Order.objects.filter(user=user).count() == 1
