"""Every admin changelist and add page opens for staff and turns everyone else away."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.tests.factories import UserFactory

# Every screen of the back office, the project's and the libraries' alike.
MODELS = list(admin.site._registry)


def _urls(model):
    info = (model._meta.app_label, model._meta.model_name)
    return [reverse(f"admin:{info[0]}_{info[1]}_changelist"), reverse(f"admin:{info[0]}_{info[1]}_add")]


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_staff_opens_changelist_and_add_page(client, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in _urls(model):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_customers_are_sent_to_the_admin_login(client, model):
    client.force_login(UserFactory())
    for url in _urls(model):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
