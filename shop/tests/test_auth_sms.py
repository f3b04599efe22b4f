"""Storefront sign-in and registration by SMS code, and «Забыли пароль?»."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+79161234567"


@pytest.fixture
def ask_code(client, sms_outbox, django_capture_on_commit_callbacks):
    def ask(url, phone=PHONE, **data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"action": "send", "phone": phone, **data})
        match = re.search(r"\b(\d{6})\b", sms_outbox[-1].text) if sms_outbox else None
        return response, match and match.group(1)

    return ask


def test_login_page_offers_code_and_forgotten_password(client):
    html = client.get(reverse("shop:login")).content.decode()
    assert "Войти по коду из SMS" in html and reverse("shop:login_sms") in html
    assert "Забыли пароль?" in html and reverse("shop:password_reset") in html
    assert reverse("shop:login_sms") in client.get(reverse("shop:register")).content.decode()


def test_sign_in_by_code_registers_a_new_phone(client, ask_code):
    response, code = ask_code(reverse("shop:login_sms"), phone="8 916 123-45-67", next="/checkout/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="code"' in html and 'autocomplete="one-time-code"' in html and PHONE in html

    response = client.post(
        reverse("shop:login_sms"),
        {"action": "verify", "phone": PHONE, "code": code, "next": "/checkout/", "personal_data_consent": "on"},
    )

    assert response.status_code == 302 and response["Location"] == "/checkout/"
    user = User.objects.get(phone=PHONE)
    assert user.phone_verified and int(client.session["_auth_user_id"]) == user.pk


def test_wrong_code_is_shown_beside_the_field(client, ask_code):
    UserFactory(phone=PHONE)
    _, code = ask_code(reverse("shop:login_sms"))
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post(reverse("shop:login_sms"), {"action": "verify", "phone": PHONE, "code": wrong})
    assert response.status_code == 200
    assert "Неверный код. Осталось попыток: 4." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_asking_again_within_a_minute_keeps_the_code_step(client, ask_code, sms_outbox):
    ask_code(reverse("shop:login_sms"))
    response = client.post(reverse("shop:login_sms"), {"action": "send", "phone": PHONE}, follow=True)
    html = response.content.decode()
    assert 'name="code"' in html and "Код уже отправлен" in html
    assert len(sms_outbox) == 1


def test_failed_passwords_do_not_lock_out_signing_in_by_code(client, ask_code):
    UserFactory(phone=PHONE)
    for _ in range(12):
        client.post(reverse("shop:login"), {"phone": PHONE, "password": "wrong-guess"})
    locked = client.post(reverse("shop:login"), {"phone": PHONE, "password": PASSWORD})
    assert "Слишком много попыток" in locked.content.decode()

    _, code = ask_code(reverse("shop:login_sms"))
    response = client.post(reverse("shop:login_sms"), {"action": "verify", "phone": PHONE, "code": code})
    assert response.status_code == 302


def test_forgotten_password_by_code(client, ask_code):
    user = UserFactory(phone=PHONE, phone_verified=False)
    _, code = ask_code(reverse("shop:password_reset"))

    short = client.post(
        reverse("shop:password_reset"), {"action": "reset", "phone": PHONE, "code": code, "password": "123"}
    )
    assert short.status_code == 200 and "password" in short.context["form"].errors

    response = client.post(
        reverse("shop:password_reset"),
        {"action": "reset", "phone": PHONE, "code": code, "password": "новый-пароль"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("новый-пароль") and user.phone_verified


def test_bad_phone_stays_on_the_first_step(client, sms_outbox):
    response = client.post(reverse("shop:login_sms"), {"action": "send", "phone": "12"})
    html = response.content.decode()
    assert response.status_code == 200 and "Некорректный номер телефона." in html and 'name="code"' not in html
    assert sms_outbox == []
