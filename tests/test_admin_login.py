"""One lockout per account for wrong passwords typed anywhere (django-axes, `accounts.lockout`): the admin, the
storefront's `/login/` and the API count together, the phone however it is written."""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "staff-secret-1"
PHONE = "+79990000001"
SPELLINGS = ["89990000001", "+7 999 000-00-01", "7 (999) 000 00 01", "+79990000001", "8-999-000-00-01"]


@pytest.fixture(autouse=True)
def limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 5


@pytest.fixture
def staff_member():
    return UserFactory(phone=PHONE, is_staff=True, is_superuser=True, password=PASSWORD)


def admin_login(client, phone, password, **extra):
    return client.post(
        reverse("admin:login"), {"username": phone, "password": password, "next": "/admin/"}, **extra
    )


def shop_login(client, phone, password, **extra):
    return client.post(reverse("shop:login"), {"phone": phone, "password": password}, **extra)


def api_login(phone, password, **extra):
    return APIClient().post("/api/v1/auth/login/", {"phone": phone, "password": password}, format="json", **extra)


def test_admin_login_works(client, staff_member):
    assert admin_login(client, staff_member.phone, PASSWORD).status_code == 302


def test_every_spelling_of_the_phone_is_one_count_and_one_lock(client, staff_member):
    for spelling in SPELLINGS:
        admin_login(client, spelling, "wrong")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {PHONE}
    for spelling in SPELLINGS:  # the right password, typed any way, waits out the lock
        response = admin_login(client, spelling, PASSWORD)
        assert response.status_code == 429 and "Вход временно закрыт" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_storefront_and_api_failures_lock_one_account(client, staff_member):
    admin_login(client, "8 999 000 00 01", "wrong")
    shop_login(Client(), "+7 999 000-00-01", "wrong")
    api_login("89990000001", "wrong")
    api_login("79990000001", "wrong")
    shop_login(Client(), PHONE, "wrong")
    # Locked everywhere, the right password included.
    assert admin_login(client, PHONE, PASSWORD).status_code == 429
    locked_shop = shop_login(Client(), PHONE, PASSWORD)
    assert locked_shop.status_code == 200 and "Слишком много попыток входа" in locked_shop.content.decode()
    locked_api = api_login(PHONE, PASSWORD)
    assert (locked_api.status_code, locked_api.json()["code"]) == (429, "login_locked")
    assert int(locked_api["Retry-After"]) > 0


def test_api_tries_per_phone_from_spread_addresses_are_bounded_by_the_lock(staff_member):
    for n in range(5):
        api_login(PHONE, "wrong", REMOTE_ADDR=f"198.51.{n}.7")
    assert api_login(PHONE, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    # Another account is not touched by it.
    UserFactory(phone="+79990000002", password=PASSWORD)
    assert api_login("+79990000002", PASSWORD, REMOTE_ADDR="198.51.0.7").status_code == 200


def test_a_storefront_staff_session_does_not_open_the_admin_while_the_phone_is_locked(staff_member):
    browser = Client()
    assert shop_login(browser, PHONE, PASSWORD).status_code == 302
    assert browser.get("/admin/").status_code == 200
    for _ in range(5):
        api_login(PHONE, "wrong")
    refused = browser.get("/admin/")
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("admin:login"))
    AccessAttempt.objects.all().delete()  # staff unlock it in the admin («Axes»)
    assert browser.get("/admin/").status_code == 200


def test_a_success_clears_the_count(client, staff_member):
    for _ in range(4):
        admin_login(client, PHONE, "wrong")
    assert admin_login(client, PHONE, PASSWORD).status_code == 302
    assert api_login(PHONE, "wrong").status_code == 401  # one failure after the reset, no lock
    for _ in range(3):
        api_login(PHONE, "wrong")
    assert api_login(PHONE, PASSWORD).status_code == 200  # a token sign-in clears it too
    assert api_login(PHONE, "wrong").status_code == 401


def test_the_lock_reads_the_address_behind_our_proxy(client, staff_member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        admin_login(client, "+79160000009", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    other = admin_login(
        client, staff_member.phone, PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert other.status_code == 302


def test_a_code_by_sms_still_signs_in_a_locked_phone(staff_member, sms_outbox, django_capture_on_commit_callbacks):
    for _ in range(5):
        api_login(PHONE, "wrong")
    with django_capture_on_commit_callbacks(execute=True):
        APIClient().post("/api/v1/auth/sms/", {"phone": PHONE}, format="json")
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    signed_in = APIClient().post("/api/v1/auth/sms/verify/", {"phone": PHONE, "code": code}, format="json")
    assert signed_in.status_code == 200
