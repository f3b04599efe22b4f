"""A new password ends every earlier session: API access and refresh tokens, and storefront sign-ins."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+79161234567"


def signed_in(phone=PHONE, password=PASSWORD) -> tuple[APIClient, dict]:
    pair = APIClient().post("/api/v1/auth/login/", {"phone": phone, "password": password}, format="json").json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    return client, pair


def reset_by_code(sms_outbox, capture, password="новый-пароль-1"):
    with capture(execute=True):
        APIClient().post("/api/v1/auth/sms/", {"phone": PHONE}, format="json")
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    response = APIClient().post(
        "/api/v1/auth/password/reset/", {"phone": PHONE, "code": code, "password": password}, format="json"
    )
    assert response.status_code == 200


def assert_dead(client: APIClient, pair: dict):
    for path in ("/api/v1/users/me/", "/api/v1/orders/"):
        refused = client.get(path)
        assert refused.status_code == 401, path
        assert refused.json()["code"] == "token_not_valid" and "Токен" in refused.json()["detail"]
    again = APIClient().post("/api/v1/auth/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert (again.status_code, again.json()["code"]) == (401, "token_not_valid")


def test_a_password_reset_ends_every_earlier_token_at_once(sms_outbox, django_capture_on_commit_callbacks):
    UserFactory(phone=PHONE)
    phone_app, phone_pair = signed_in()
    laptop, laptop_pair = signed_in()
    assert phone_app.get("/api/v1/users/me/").status_code == 200
    assert phone_app.get("/api/v1/orders/").status_code == 200

    reset_by_code(sms_outbox, django_capture_on_commit_callbacks)

    assert_dead(phone_app, phone_pair)
    assert_dead(laptop, laptop_pair)
    fresh, _ = signed_in(password="новый-пароль-1")
    assert fresh.get("/api/v1/users/me/").status_code == 200


def test_a_password_changed_by_staff_ends_every_earlier_token(staff):
    user = UserFactory(phone=PHONE)
    client, pair = signed_in()
    response = staff.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "новый-пароль-2", "password2": "новый-пароль-2", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert_dead(client, pair)


def test_a_password_changed_in_code_ends_every_earlier_token():
    user = UserFactory(phone=PHONE)
    client, pair = signed_in()
    user.set_password("новый-пароль-3")
    user.save()
    assert_dead(client, pair)


def test_a_reset_signs_out_the_storefront_elsewhere(sms_outbox, django_capture_on_commit_callbacks):
    UserFactory(phone=PHONE)
    browser = Client()
    assert browser.post("/login/", {"phone": PHONE, "password": PASSWORD}).status_code == 302
    assert browser.get("/account/").status_code == 200

    reset_by_code(sms_outbox, django_capture_on_commit_callbacks)

    assert browser.get("/account/")["Location"].startswith("/login/")


def test_tokens_outlive_nothing_but_their_own_password():
    """Signing in again, or a profile change, leaves earlier tokens working."""
    UserFactory(phone=PHONE)
    client, pair = signed_in()
    signed_in()
    assert client.patch("/api/v1/users/me/", {"full_name": "Анна"}, format="json").status_code == 200
    assert client.get("/api/v1/users/me/").status_code == 200
    assert (
        APIClient().post("/api/v1/auth/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 200
    )
