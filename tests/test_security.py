"""Bad input gets a clear 4xx in Russian, never a 500; headers that keep pages private and scripts our own."""

import json
import re
import urllib.request

import pytest
from django.test import Client
from django.urls import include, path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from config.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from orders.tests.factories import OrderFactory
from tests.gunicorn_server import gunicorn_shop

pytestmark = pytest.mark.django_db

DEEP_JSON = "[" * 1000 + "]" * 1000


# --- Bad input -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/api/v1/orders/%00/", "/api/v1/products/%00/", "/api/v1/pages/a%01b/"])
def test_a_control_character_in_an_api_path_is_a_json_404(user_client, url):
    response = user_client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Не найдено.", "code": "not_found"}


@pytest.mark.parametrize("url", ["/products/%00/", "/orders/%00/", "/pages/%00/"])
def test_a_control_character_in_a_page_path_is_the_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Такой страницы нет" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/api/v1/orders/", "/api/v1/auth/register/", "/api/v1/auth/login/", "/api/v1/promo-codes/validate/"]
)
def test_deeply_nested_json_is_a_400(user_client, url):
    response = user_client.post(url, DEEP_JSON, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "вложено" in response.json()["detail"]


def test_deeply_nested_json_to_the_notification_endpoint_is_a_400(client, settings):
    settings.YOOKASSA_TRUSTED_NETWORKS = ["127.0.0.1/32"]
    response = client.post("/api/v1/payments/yookassa/notifications/", DEEP_JSON, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_json_depth_is_measured_without_recursion():
    deep = []
    node = deep
    for _ in range(100_000):
        node.append([])
        node = node[0]
    assert json_depth_exceeds(deep, MAX_JSON_DEPTH)
    assert not json_depth_exceeds({"items": [{"product": 1, "size": "M"}]}, MAX_JSON_DEPTH)


def test_malformed_json_is_refused_in_russian(user_client):
    response = user_client.post("/api/v1/orders/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Тело запроса — некорректный JSON.", "code": "parse_error"}


def test_too_many_order_lines_are_refused_in_russian(user_client, settings):
    lines = [{"product": 1, "size": "M", "quantity": 1}] * (settings.ORDER_MAX_LINES + 1)
    response = user_client.post("/api/v1/orders/", {"items": lines}, format="json")
    assert response.status_code == 400
    assert "Не больше 50 позиций" in json.dumps(response.json(), ensure_ascii=False)


def test_a_huge_body_is_refused_in_russian(client):
    body = json.dumps({"phone": "1" * 10_000_000, "password": "x"})
    response = client.post("/api/v1/auth/login/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Тело запроса слишком большое.", "code": "request_too_big"}


def test_csrf_failure_page_is_russian():
    response = Client(enforce_csrf_checks=True).post("/login/", {"phone": "+79161234567", "password": "x"})
    assert response.status_code == 403
    assert "Страница устарела" in response.content.decode()


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def _broken(request):
    raise RuntimeError("boom")


def _page_broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/broken/", _broken), path("broken/", _page_broken), path("", include("config.urls"))]
handler500 = "config.views.server_error"


def test_a_server_error_in_the_api_is_json(settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/api/v1/broken/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"


def test_a_server_error_on_a_page_is_the_russian_page(settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert "Что-то пошло не так" in response.content.decode()


# --- Headers -------------------------------------------------------------------------------------------------------
def test_pages_carry_a_content_security_policy_without_inline_code(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_swagger_ui_loads_its_script_from_a_file(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert "<script src=" in html
    assert "SwaggerUIBundle(" not in html  # the inline start-up script is served separately


def test_account_and_order_pages_are_never_stored(client):
    user = UserFactory()
    order = OrderFactory(user=user)
    client.force_login(user)
    for url in ("/account/", order.get_absolute_url()):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_api_answers_with_credentials_or_tokens_are_never_stored(user_client, api_client):
    assert "no-store" in user_client.get("/api/v1/users/me/")["Cache-Control"]
    response = api_client.post("/api/v1/auth/login/", {"phone": "+79161234567", "password": "x"}, format="json")
    assert "no-store" in response["Cache-Control"]


def test_public_catalog_stays_cacheable(client):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_the_schema_documents_the_403_of_the_analytics_summary(client):
    schema = client.get("/api/v1/schema/").json()
    assert "403" in schema["paths"]["/api/v1/analytics/summary/"]["get"]["responses"]


def test_gunicorn_does_not_name_itself(tmp_path):
    with (
        gunicorn_shop(tmp_path) as base_url,
        urllib.request.urlopen(f"{base_url}/static/favicon.svg", timeout=5) as response,
    ):
        server_header = response.headers.get("Server")
    assert server_header and "gunicorn" not in server_header.lower()


def test_an_api_csrf_failure_is_refused_in_russian():
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post("/api/v1/orders/", {"items": []}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed" and "CSRF-токена" in response.json()["detail"]


def test_no_template_carries_inline_script_or_style():
    """The Content-Security-Policy allows our own files only: inline code in a template would be blocked."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("**/templates/**/*.html")
        if ".venv" not in path.parts
        and (re.search(r"<script(?![^>]*\bsrc=)[^>]*>", path.read_text()) or 'style="' in path.read_text())
    ]
    assert offenders == []
