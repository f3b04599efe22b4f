"""CMS pages in the admin: Markdown in, the sanitised preview the site will show."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from pages.models import Page
from pages.tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def test_change_page_previews_sanitised_html(staff):
    page = PageFactory(content="## Доставка\n\n<script>alert(1)</script>**СДЭК**")
    html = staff.get(reverse("admin:pages_page_change", args=[page.pk])).content.decode()
    assert "<h2>Доставка</h2>" in html and "<strong>СДЭК</strong>" in html
    assert "<script>alert(1)</script>" not in html


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
