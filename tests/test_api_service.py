"""Service endpoints of the API: health, the OpenAPI document, Swagger UI, CORS."""

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_health_is_200_while_the_database_answers(api_client):
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_is_503_when_the_database_does_not_answer(api_client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_health_ignores_a_forged_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer forged")
    assert api_client.get("/api/v1/health/").status_code == 200


def test_schema_is_openapi_3_with_bodies_and_error_codes(api_client):
    response = api_client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/auth/register/",
        "/api/v1/auth/login/",
        "/api/v1/auth/refresh/",
        "/api/v1/users/me/",
        "/api/v1/products/",
        "/api/v1/products/{id}/",
        "/api/v1/pages/",
        "/api/v1/pages/{slug}/",
        "/api/v1/health/",
    ]:
        assert path in paths, path
    register = paths["/api/v1/auth/register/"]["post"]
    assert "requestBody" in register
    assert {"201", "400", "429"} <= set(register["responses"])
    assert "Retry-After" in register["responses"]["429"]["headers"]
    assert "401" in paths["/api/v1/auth/login/"]["post"]["responses"]
    product_create = paths["/api/v1/products/"]["post"]
    assert {"201", "400", "401", "403"} <= set(product_create["responses"])
    product = schema["components"]["schemas"]["Product"]["properties"]
    for field in ["price", "stock", "sizes", "waves", "current_wave", "current_wave_count", "media"]:
        assert field in product
    assert "bearerAuth" in str(schema["components"]["securitySchemes"]) or "jwtAuth" in str(
        schema["components"]["securitySchemes"]
    )


def test_schema_also_as_yaml(api_client):
    response = api_client.get("/api/v1/schema/?format=yaml")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi:")


def test_docs_serve_swagger_ui_from_our_own_static_files(api_client):
    response = api_client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    # The start-up script is a file of its own (the content security policy allows no inline script).
    script = api_client.get("/api/v1/docs/?script")
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


def test_swagger_ui_assets_are_served_by_the_shop(api_client):
    response = api_client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert response.status_code == 200


def test_cors_preflight_from_an_allowed_origin(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.dwc.example"]
    response = client.options(
        "/api/v1/products/",
        HTTP_ORIGIN="https://app.dwc.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.dwc.example"
    assert "authorization" in response["Access-Control-Allow-Headers"].lower()


def test_cors_refuses_other_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.dwc.example"]
    response = client.options(
        "/api/v1/products/", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in response


def test_schema_generates_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")
