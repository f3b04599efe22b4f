"""Addresses that do not exist: JSON under /api/, the shop's own Russian page everywhere else, debug or not."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_root_says_where_the_docs_are(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json()["docs"].endswith("/api/v1/docs/")
    assert response.json()["schema"].endswith("/api/v1/schema/")


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/", "/api/v2/products/", "/api/v1/a/b/c/"])
def test_unknown_api_addresses_are_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_an_api_address_without_its_slash_is_still_redirected(client):
    response = client.get("/api/v1/products")
    assert response.status_code == 301 and response["Location"] == "/api/v1/products/"


@pytest.mark.parametrize("debug", [False, True], ids=["production", "make-run"])
def test_a_missing_page_is_the_shops_russian_404(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Такой страницы нет" in html and "Page not found" not in html


def test_debug_404_stays_one_setting_away(client, settings):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_404 = True
    assert "Page not found" in client.get("/no-such-page/").content.decode()


def test_favicon_ico_leads_to_the_shops_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


@pytest.mark.parametrize("path", ["/", "/admin/login/"])
def test_every_page_links_its_favicon(client, path):
    assert 'rel="icon" href="/static/favicon.svg"' in client.get(path).content.decode()
