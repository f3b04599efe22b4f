import pytest

from pages.tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def test_pages_list_shows_published_pages_only(api_client):
    PageFactory(slug="about", title="О нас")
    PageFactory(slug="draft", title="Черновик", is_published=False)
    response = api_client.get("/api/v1/pages/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["slug"] == "about"
    assert body["results"][0]["title"] == "О нас"


def test_page_detail_by_slug_with_safe_html(api_client):
    PageFactory(slug="delivery", title="Доставка", content="## СДЭК\n\n<script>alert(1)</script>")
    response = api_client.get("/api/v1/pages/delivery/")
    assert response.status_code == 200
    body = response.json()
    assert body["content"].startswith("## СДЭК")
    assert "<h2>СДЭК</h2>" in body["content_html"]
    assert "<script>" not in body["content_html"]


@pytest.mark.parametrize("slug", ["draft", "missing", "%D1%8F"])
def test_unpublished_or_unknown_page_is_404(api_client, slug):
    PageFactory(slug="draft", is_published=False)
    response = api_client.get(f"/api/v1/pages/{slug}/")
    assert response.status_code == 404


def test_pages_are_read_only(staff_client):
    PageFactory(slug="about")
    assert staff_client.post("/api/v1/pages/", {"slug": "x", "title": "x"}, format="json").status_code == 405
    assert staff_client.delete("/api/v1/pages/about/").status_code == 405
