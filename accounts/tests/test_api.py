from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from conftest import client_for

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/refresh/"
ME = "/api/v1/users/me/"


# --- Registration ------------------------------------------------------------------------------------------
def test_register_returns_user_and_a_working_token_pair(api_client):
    response = api_client.post(
        REGISTER,
        {
            "personal_data_consent": True,
            "phone": "8 (916) 555-12-34",
            "password": "secret1",
            "full_name": "Анна",
            "email": "a@example.com",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"user", "access", "refresh"}
    assert body["user"]["phone"] == "+79165551234"
    assert body["user"]["full_name"] == "Анна"
    assert "password" not in body["user"]
    user = User.objects.get(phone="+79165551234")
    assert user.check_password("secret1") and not user.is_staff
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert api_client.get(ME).json()["phone"] == "+79165551234"


def test_register_with_only_phone_and_password(api_client):
    response = api_client.post(
        REGISTER, {"personal_data_consent": True, "phone": "+79165551234", "password": "secret1"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["user"]["full_name"] == ""


@pytest.mark.parametrize("spelling", ["+7 (916) 555-12-34", "89165551234", "79165551234", "916 555 12 34"])
def test_register_refuses_a_phone_taken_in_another_spelling(api_client, spelling):
    UserFactory(phone="+79165551234")
    response = api_client.post(
        REGISTER, {"personal_data_consent": True, "phone": spelling, "password": "secret1"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "phone_taken"
    assert "уже зарегистрирован" in body["detail"]
    assert body["phone"] == [body["detail"]]
    assert User.objects.filter(phone="+79165551234").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"password": "secret1"}, "phone"),
        ({"phone": "+79165551234"}, "password"),
        ({"phone": "not a phone", "password": "secret1"}, "phone"),
        ({"phone": "+7 916 123", "password": "secret1"}, "phone"),
        ({"phone": "+79165551234", "password": "12345"}, "password"),
        ({"phone": "+79165551234", "password": "secret1", "email": "nope"}, "email"),
        ({"phone": 79165551234, "password": ["secret1"]}, "password"),
    ],
)
def test_register_explains_bad_input_per_field(api_client, payload, field):
    response = api_client.post(REGISTER, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.exists()


def test_register_messages_are_russian(api_client):
    response = api_client.post(
        REGISTER, {"personal_data_consent": True, "phone": "+79165551234", "password": "123"}, format="json"
    )
    assert "символ" in response.json()["password"][0]


def test_registered_user_cannot_make_themselves_staff(api_client):
    response = api_client.post(
        REGISTER,
        {"personal_data_consent": True, "phone": "+79165551234", "password": "secret1", "is_staff": True},
        format="json",
    )
    assert response.status_code == 201
    assert not User.objects.get().is_staff


# --- Login and refresh --------------------------------------------------------------------------------------
def test_login_with_any_spelling_of_the_phone(api_client):
    user = UserFactory(phone="+79165551234")
    response = api_client.post(LOGIN, {"phone": "8 916 555-12-34", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert AccessToken(body["access"])["user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.parametrize(
    "payload",
    [
        {"phone": "+79165551234", "password": "wrong-password"},
        {"phone": "+79990000000", "password": PASSWORD},
        {"phone": "garbage", "password": PASSWORD},
    ],
)
def test_login_refuses_bad_credentials_with_401(api_client, payload):
    UserFactory(phone="+79165551234")
    response = api_client.post(LOGIN, payload, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Неверный номер телефона или пароль.", "code": "invalid_credentials"}


def test_login_refuses_an_inactive_user(api_client):
    UserFactory(phone="+79165551234", is_active=False)
    response = api_client.post(LOGIN, {"phone": "+79165551234", "password": PASSWORD}, format="json")
    assert response.status_code == 401


def test_login_without_fields_is_400(api_client):
    response = api_client.post(LOGIN, {}, format="json")
    assert response.status_code == 400
    assert {"phone", "password"} <= set(response.json())


def test_login_ignores_a_stale_authorization_header(api_client):
    UserFactory(phone="+79165551234")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer forged.token.value")
    response = api_client.post(LOGIN, {"phone": "+79165551234", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_access_token_lives_24_hours(api_client):
    UserFactory(phone="+79165551234")
    body = api_client.post(LOGIN, {"phone": "+79165551234", "password": PASSWORD}, format="json").json()
    token = AccessToken(body["access"])
    assert token["exp"] - token["iat"] == 24 * 3600


def test_refresh_rotates_and_the_old_refresh_token_is_dead(api_client, user):
    old = str(RefreshToken.for_user(user))
    response = api_client.post(REFRESH, {"refresh": old}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != old
    again = api_client.post(REFRESH, {"refresh": old}, format="json")
    assert again.status_code == 401
    assert again.json()["code"] == "token_not_valid"
    assert api_client.post(REFRESH, {"refresh": body["refresh"]}, format="json").status_code == 200


@pytest.mark.parametrize("refresh", ["forged", "a.b.c", ""])
def test_refresh_refuses_forged_tokens(api_client, refresh):
    response = api_client.post(REFRESH, {"refresh": refresh}, format="json")
    assert response.status_code in (400, 401)
    assert "detail" in response.json() or "refresh" in response.json()


def test_refresh_refuses_the_token_of_a_deleted_or_inactive_user(api_client):
    gone, inactive = UserFactory(), UserFactory()
    tokens = [str(RefreshToken.for_user(gone)), str(RefreshToken.for_user(inactive))]
    gone.delete()
    inactive.is_active = False
    inactive.save()
    for token in tokens:
        response = api_client.post(REFRESH, {"refresh": token}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"


def test_refresh_refuses_an_access_token(api_client, user):
    access = str(RefreshToken.for_user(user).access_token)
    response = api_client.post(REFRESH, {"refresh": access}, format="json")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Токен недействителен или срок его действия истёк.",
        "code": "token_not_valid",
    }


# --- Throttling ---------------------------------------------------------------------------------------------
@pytest.fixture
def tight_rates(settings):
    settings.THROTTLE_ENABLED = True
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth_ip": "3/min", "auth_phone": "2/min"},
    }
    cache.clear()


def test_login_is_throttled_per_phone_with_retry_after(api_client, tight_rates):
    UserFactory(phone="+79165551234")
    for _ in range(2):
        response = api_client.post(LOGIN, {"phone": "+79165551234", "password": "wrong"}, format="json")
        assert response.status_code == 401
    # Another spelling of the same number is the same phone.
    response = api_client.post(LOGIN, {"phone": "8 916 555 12 34", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert 1 <= body["retry_after"] <= 60
    assert response["Retry-After"] == str(body["retry_after"])
    assert body["detail"] == f"Слишком много запросов. Повторите через {body['retry_after']} с."


def test_login_is_throttled_per_ip_across_phones(api_client, tight_rates):
    for n in range(3):
        api_client.post(LOGIN, {"phone": f"+7916555000{n}", "password": "wrong"}, format="json")
    response = api_client.post(LOGIN, {"phone": "+79165550009", "password": "wrong"}, format="json")
    assert response.status_code == 429
    other_ip = api_client.post(
        LOGIN, {"phone": "+79165550009", "password": "wrong"}, format="json", REMOTE_ADDR="10.0.0.2"
    )
    assert other_ip.status_code == 401


def test_registration_is_limited_per_address_network_with_the_storefront(api_client, tight_rates, settings):
    """One count for the API and the storefront, per /24: ten an hour by default (the API allowed ten a minute)."""
    settings.REGISTER_RATE = "3/hour"
    statuses = [
        api_client.post(
            REGISTER,
            {"personal_data_consent": True, "phone": f"+7916555000{n}", "password": "secret1"},
            format="json",
            REMOTE_ADDR=f"198.51.100.{n}",
        ).status_code
        for n in range(2)
    ]
    storefront = Client().post(
        "/register/",
        {"phone": "+79165550007", "password": "secret1", "personal_data_consent": "on"},
        REMOTE_ADDR="198.51.100.77",
    )
    assert statuses == [201, 201] and storefront.status_code == 302
    refused = api_client.post(
        REGISTER,
        {"phone": "+79165550008", "password": "secret1", "personal_data_consent": True},
        format="json",
        REMOTE_ADDR="198.51.100.200",
    )
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 3601
    assert not User.objects.filter(phone="+79165550008").exists()
    page = Client().post(
        "/register/", {"phone": "+79165550009", "password": "secret1"}, REMOTE_ADDR="198.51.100.9"
    )
    assert "Слишком много попыток регистрации" in page.content.decode()
    other = api_client.post(
        REGISTER,
        {"phone": "+79165550010", "password": "secret1", "personal_data_consent": True},
        format="json",
        REMOTE_ADDR="198.51.101.1",
    )
    assert other.status_code == 201


def test_forwarded_for_is_ignored_without_trusted_proxies(api_client, tight_rates):
    for n in range(3):
        api_client.post(
            LOGIN, {"phone": f"+7916555000{n}", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}"
        )
    response = api_client.post(
        LOGIN, {"phone": "+79165550009", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert response.status_code == 429


def test_forwarded_for_from_a_trusted_proxy_names_the_client(api_client, tight_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        api_client.post(
            LOGIN, {"phone": f"+7916555000{n}", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="1.1.1.1"
        )
    response = api_client.post(
        LOGIN, {"phone": "+79165550009", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="spoof, 2.2.2.2"
    )
    assert response.status_code == 401


def test_throttle_enabled_false_turns_limits_off(api_client, tight_rates, settings):
    settings.THROTTLE_ENABLED = False
    UserFactory(phone="+79165551234")
    statuses = {
        api_client.post(LOGIN, {"phone": "+79165551234", "password": "wrong"}, format="json").status_code
        for _ in range(6)
    }
    assert statuses == {401}


# --- Profile ------------------------------------------------------------------------------------------------
def test_me_shows_the_profile(user_client, user):
    response = user_client.get(ME)
    assert response.status_code == 200
    body = response.json()
    for field in ("phone", "full_name", "email", "address", "cdek_point", "telegram", "vk"):
        assert body[field] == getattr(user, field)
    assert body["is_staff"] is False


def test_me_patch_changes_contact_details(user_client, user):
    response = user_client.patch(
        ME,
        {"full_name": "Пётр", "address": "Москва", "cdek_point": "MSK-1", "telegram": "@petr", "vk": "id1"},
        format="json",
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.full_name, user.address, user.cdek_point, user.telegram, user.vk) == (
        "Пётр",
        "Москва",
        "MSK-1",
        "@petr",
        "id1",
    )
    assert response.json()["full_name"] == "Пётр"


def test_me_patch_leaves_phone_and_staff_flags_alone(user_client, user):
    phone = user.phone
    response = user_client.patch(
        ME, {"phone": "+79990000000", "is_staff": True, "is_superuser": True, "full_name": "X"}, format="json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.phone == phone and not user.is_staff and not user.is_superuser
    assert user.full_name == "X"


def test_me_patch_validates(user_client):
    response = user_client.patch(ME, {"email": "not-an-email", "full_name": "x" * 300}, format="json")
    assert response.status_code == 400
    assert {"email", "full_name"} <= set(response.json())


def test_me_needs_a_valid_token(api_client, user):
    assert api_client.get(ME).status_code == 401
    assert api_client.get(ME).json()["code"] == "not_authenticated"
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_me_refuses_an_expired_token(api_client, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get(ME).status_code == 401


def test_me_refuses_the_token_of_a_deleted_or_inactive_user(user):
    client = client_for(user)
    user.is_active = False
    user.save()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "Пользователь неактивен", "code": "user_inactive"}
    user.delete()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "Пользователь не найден", "code": "user_not_found"}


def test_a_malformed_authorization_header_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer two words")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_authorization_header"
