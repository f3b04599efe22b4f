"""CMS pages in the admin: Markdown in, the sanitised preview the site will show."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from pages.models import Page
from pages.tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def test_change_page_previews_sanitised_html_in_the_sites_own_template(staff):
    page = PageFactory(content="## Доставка\n\n<script>alert(1)</script>**СДЭК**", is_published=False)
    preview_url = reverse("admin:pages_page_preview", args=[page.pk])
    html = staff.get(reverse("admin:pages_page_change", args=[page.pk])).content.decode()
    assert f'<iframe class="dwc-page-preview" src="{preview_url}"' in html
    response = staff.get(preview_url)
    preview = response.content.decode()
    assert response.status_code == 200 and response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "css/shop.css" in preview and 'class="site-header"' in preview
    assert "<h2>Доставка</h2>" in preview and "<strong>СДЭК</strong>" in preview
    assert "<script>alert(1)</script>" not in preview


def test_the_preview_is_for_staff_only(client):
    page = PageFactory(is_published=False)
    client.force_login(UserFactory())
    response = client.get(reverse("admin:pages_page_preview", args=[page.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_add_a_page(staff):
    response = staff.post(
        reverse("admin:pages_page_add"),
        {"title": "Оферта", "slug": "oferta", "content": "Текст", "is_published": "on", "show_in_footer": "on"},
    )
    assert response.status_code == 302
    assert Page.objects.get().content_html == "<p>Текст</p>"


def test_list_and_search(staff):
    PageFactory(title="О магазине", slug="about")
    PageFactory(title="Доставка", slug="delivery")
    result = staff.get(reverse("admin:pages_page_changelist"), {"q": "delivery"}).context["cl"].result_list
    assert [p.slug for p in result] == ["delivery"]


def test_customers_are_sent_to_login(client):
    page = PageFactory()
    client.force_login(UserFactory())
    response = client.get(reverse("admin:pages_page_change", args=[page.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
