"""Request ids in responses and logs; Prometheus metrics for staff and the scraper only."""

import json
import logging

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orders.models import PaymentStatus
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id(client):
    first = client.get("/api/v1/health/")["X-Request-ID"]
    second = client.get("/api/v1/health/")["X-Request-ID"]
    assert first and second and first != second


def test_a_request_id_from_the_proxy_is_kept(client):
    response = client.get("/api/v1/health/", HTTP_X_REQUEST_ID="edge-1234abcd")
    assert response["X-Request-ID"] == "edge-1234abcd"


@pytest.mark.parametrize(
    "given", ["x" * 6000, "<script>alert(1)</script>", "a b", "id\nforged log line", "x" * 65, "ключ"]
)
def test_a_request_id_that_is_too_long_or_odd_is_replaced(client, given):
    response = client.get("/api/v1/health/", headers={"X-Request-ID": given.encode().decode("latin-1")})
    echoed = response["X-Request-ID"]
    assert echoed != given.encode().decode("latin-1") and len(echoed) == 32 and echoed.isalnum()


def test_a_request_id_of_64_plain_characters_is_kept(client):
    given = "Root=1-67891233-abcdef012345678912345678." + "a" * 23
    assert len(given) == 64
    assert client.get("/api/v1/health/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


def test_log_lines_are_json_with_the_request_id(client, settings):
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    handler = logging.getLogger().handlers[0]
    records = []
    original_emit = handler.emit
    handler.emit = lambda record: records.append(handler.format(record))
    try:
        response = client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="req-42abcdef")
    finally:
        handler.emit = original_emit
    assert response.status_code == 404
    lines = [json.loads(line) for line in records]
    warning = next(line for line in lines if line["logger"] == "django.request")
    assert warning["request_id"] == "req-42abcdef" and warning["level"] == "WARNING"


def test_metrics_are_closed_to_the_public(client, user_client):
    assert client.get("/metrics").status_code == 403
    assert user_client.get("/metrics").status_code == 403


def test_metrics_open_with_the_token(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret")
    assert response.status_code == 200
    assert "django_http_requests_latency_seconds_by_view_method" in response.content.decode()


def test_metrics_count_orders_payments_and_failed_sms(staff):
    OrderFactory(payment_status=PaymentStatus.SUCCEEDED)
    OrderFactory()
    DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="accounts.tasks.sms_deliver",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="builtins.OSError",
        traceback="",
    )
    body = staff.get("/metrics").content.decode()
    assert "dwc_orders_placed_total 2.0" in body
    assert 'dwc_payments{payment_status="succeeded"} 1.0' in body
    assert "dwc_sms_failures_total 1.0" in body
    assert "django_http_requests_total_by_method_total" in body


def test_metrics_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.METRICS_TOKEN = "scrape-secret"
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret")
    assert response.status_code == 200
