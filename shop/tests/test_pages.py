import pytest
from django.test import Client, override_settings
from django.urls import reverse

from pages.tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def test_published_page_renders_markdown_safely(client):
    page = PageFactory(
        slug="delivery", title="Доставка", content="## Сроки\n\n**2–7 дней**\n\n<script>alert(1)</script>"
    )
    html = client.get(page.get_absolute_url()).content.decode()
    assert "<h1>Доставка</h1>" in html
    assert "<strong>2–7 дней</strong>" in html
    assert "<script>alert(1)</script>" not in html


def test_unpublished_page_is_404(client):
    page = PageFactory(is_published=False)
    assert client.get(page.get_absolute_url()).status_code == 404


def test_footer_links_published_footer_pages(client):
    about = PageFactory(slug="about", title="О магазине")
    hidden = PageFactory(slug="hidden", title="Черновик", is_published=False)
    not_in_footer = PageFactory(slug="terms", title="Условия", show_in_footer=False)
    html = client.get(reverse("shop:catalog")).content.decode()
    assert f'href="{about.get_absolute_url()}"' in html
    assert hidden.get_absolute_url() not in html and not_in_footer.get_absolute_url() not in html


@override_settings(DEBUG=False)
def test_404_page_is_in_the_shop_design(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ru">' in html and "Такой страницы нет" in html and "shop.css" in html


def test_500_page_is_in_the_shop_design(monkeypatch):
    from shop import selectors

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "catalog_products", lambda **kwargs: broken(None))
    client = Client(raise_request_exception=False)
    response = client.get(reverse("shop:catalog"))
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="ru">' in html and "Что-то пошло не так" in html and "shop.css" in html
