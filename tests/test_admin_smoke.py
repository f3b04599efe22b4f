"""Every admin changelist and add page opens for staff and turns everyone else away."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.tests.factories import UserFactory

# Every screen of the back office, the project's and the libraries' alike.
MODELS = list(admin.site._registry)


def _urls(model, *, addable=True):
    info = (model._meta.app_label, model._meta.model_name)
    urls = [reverse(f"admin:{info[0]}_{info[1]}_changelist")]
    if addable:
        urls.append(reverse(f"admin:{info[0]}_{info[1]}_add"))
    return urls


def _addable(model, user) -> bool:
    """Records written by the shop only (axes's login attempts) have no add page, even for a superuser."""
    request = RequestFactory().get("/admin/")
    request.user = user
    return admin.site._registry[model].has_add_permission(request)


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_staff_opens_changelist_and_add_page(client, model):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    for url in _urls(model, addable=_addable(model, staff)):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_customers_are_sent_to_the_admin_login(client, model):
    client.force_login(UserFactory())
    for url in _urls(model):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
