"""The admin's login is locked after repeated failures (django-axes), by address and by phone."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "staff-secret-1"


@pytest.fixture
def staff_member():
    return UserFactory(is_staff=True, is_superuser=True, password=PASSWORD)


def admin_login(client, phone, password, **extra):
    return client.post(
        reverse("admin:login"), {"username": phone, "password": password, "next": "/admin/"}, **extra
    )


def test_admin_login_works(client, staff_member):
    assert admin_login(client, staff_member.phone, PASSWORD).status_code == 302


def test_admin_login_is_locked_after_repeated_failures(client, staff_member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, staff_member.phone, "wrong")
    response = admin_login(client, staff_member.phone, PASSWORD)
    assert response.status_code == 429
    assert "Вход временно закрыт" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_lockout_reads_the_address_behind_our_proxy(client, staff_member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "+79160000009", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    other = admin_login(
        client, staff_member.phone, PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert other.status_code == 302


def test_storefront_failures_are_not_admin_attempts(client, staff_member):
    client.post(reverse("shop:login"), {"phone": staff_member.phone, "password": "wrong"})
    assert not AccessAttempt.objects.exists()
