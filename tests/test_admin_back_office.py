"""The back office on the demo shop: every list and every change page opens, the dashboard shows the drop."""

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import UserFactory

PROJECT_APPS = {"accounts", "catalog", "preorders", "promos", "orders", "pages"}
MODELS = [model for model in admin.site._registry if model._meta.app_label in PROJECT_APPS]


@pytest.fixture
def demo_staff(client, db):
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_and_a_change_page_open_on_the_demo_shop(demo_staff, model):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert demo_staff.get(reverse(f"{prefix}_changelist")).status_code == 200
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        assert demo_staff.get(reverse(f"{prefix}_change", args=[first.pk])).status_code == 200


def test_change_pages_turn_customers_away(client, db):
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(UserFactory())
    for model in MODELS:
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[first.pk])
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_dashboard_and_admin_index_on_the_demo_shop(demo_staff):
    index = demo_staff.get("/admin/").content.decode()
    assert reverse("analytics:dashboard") in index
    response = demo_staff.get(reverse("analytics:dashboard"))
    assert response.status_code == 200
    assert response.context["summary"]["preorder_waves"], "the demo drop's waves are on the dashboard"
