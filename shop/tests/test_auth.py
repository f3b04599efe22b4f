import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_register_page_has_the_api_field_names(client):
    html = client.get(reverse("shop:register")).content.decode()
    for name in ("phone", "password", "full_name", "csrfmiddlewaretoken"):
        assert f'name="{name}"' in html
    assert "Зарегистрироваться" in html


def test_register_signs_in_and_goes_back_to_next(client):
    response = client.post(
        reverse("shop:register"),
        {
            "phone": "8 916 123-45-67",
            "password": "secret-123",
            "full_name": "Анна",
            "next": "/checkout/",
            "personal_data_consent": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/checkout/"
    user = User.objects.get(phone="+79161234567")
    assert user.full_name == "Анна" and user.check_password("secret-123")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_register_ignores_a_foreign_next(client):
    response = client.post(
        reverse("shop:register"),
        {
            "phone": "+79161234567",
            "password": "secret-123",
            "next": "https://evil.example/",
            "personal_data_consent": "on",
        },
    )
    assert response["Location"] == reverse("shop:account")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phone": "", "password": "secret-123"}, "Укажите телефон."),
        ({"phone": "12345", "password": "secret-123"}, "Некорректный номер телефона."),
        ({"phone": "+79161234567", "password": "123"}, "Введённый пароль слишком короткий"),
        ({"phone": "+79161234567", "password": ""}, "Придумайте пароль."),
    ],
)
def test_register_refuses_bad_input(client, data, message):
    response = client.post(reverse("shop:register"), {**data, "personal_data_consent": "on"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_register_with_a_taken_phone_does_not_confirm_the_account(client):
    UserFactory(phone="+79161234567")
    response = client.post(
        reverse("shop:register"), {"personal_data_consent": "on", "phone": "89161234567", "password": "secret-123"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Не удалось зарегистрироваться с этим номером" in html and "уже зарегистрирован" not in html
    assert "_auth_user_id" not in client.session


def test_register_with_a_taken_phone_and_its_password_signs_in(client, password):
    user = UserFactory(phone="+79161234567")
    response = client.post(
        reverse("shop:register"), {"personal_data_consent": "on", "phone": "89161234567", "password": password}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_register_with_a_taken_phone_counts_as_a_failed_sign_in(client, password, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = UserFactory(phone="+79161234567")
    for _ in range(3):
        client.post(
            reverse("shop:register"), {"personal_data_consent": "on", "phone": user.phone, "password": "wrong-one"}
        )
    response = client.post(reverse("shop:login"), {"phone": user.phone, "password": password})
    assert "Слишком много попыток входа" in response.content.decode()


def test_register_is_limited_per_address(client, settings):
    settings.REGISTER_RATE = "2/hour"
    for number in ("+79161234561", "+79161234562"):
        assert (
            client.post(
                reverse("shop:register"),
                {"personal_data_consent": "on", "phone": number, "password": "secret-123"},
            ).status_code
            == 302
        )
        client.post(reverse("shop:logout"))
    response = client.post(
        reverse("shop:register"),
        {"personal_data_consent": "on", "phone": "+79161234563", "password": "secret-123"},
    )
    assert response.status_code == 200
    assert "Слишком много попыток регистрации" in response.content.decode()
    assert not User.objects.filter(phone="+79161234563").exists()


def test_login_with_phone_in_any_format(client, password):
    user = UserFactory(phone="+79161234567")
    page = client.get(reverse("shop:login") + "?next=/cart/").content.decode()
    assert 'name="phone"' in page and 'name="password"' in page and "Войти" in page
    assert 'value="/cart/"' in page
    response = client.post(
        reverse("shop:login"), {"phone": "8 (916) 123-45-67", "password": password, "next": "/cart/"}
    )
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_refuses_wrong_password(client):
    user = UserFactory()
    response = client.post(reverse("shop:login"), {"phone": user.phone, "password": "wrong-one"})
    assert response.status_code == 200
    assert "Неверный номер телефона или пароль." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_repeated_failures(client, password):
    user = UserFactory()
    for _ in range(10):
        client.post(reverse("shop:login"), {"phone": user.phone, "password": "wrong-one"})
    response = client.post(reverse("shop:login"), {"phone": user.phone, "password": password})
    assert response.status_code == 200
    assert "Слишком много попыток входа" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_lockout_counts_the_client_behind_the_proxy_not_the_proxy(client, password, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    user, stranger = UserFactory(), UserFactory()
    for _ in range(3):
        client.post(
            reverse("shop:login"),
            {"phone": stranger.phone, "password": "wrong-one"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    response = client.post(
        reverse("shop:login"),
        {"phone": user.phone, "password": password},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_lockout_per_address_spans_phones(client, password, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    user = UserFactory()
    for number in ("+79160000001", "+79160000002", "+79160000003"):
        client.post(reverse("shop:login"), {"phone": number, "password": "wrong-one"})
    response = client.post(reverse("shop:login"), {"phone": user.phone, "password": password})
    assert "Слишком много попыток входа" in response.content.decode()


def test_login_lockout_is_off_without_throttling(client, password, settings):
    settings.THROTTLE_ENABLED = False
    user = UserFactory()
    for _ in range(12):
        client.post(reverse("shop:login"), {"phone": user.phone, "password": "wrong-one"})
    assert client.post(reverse("shop:login"), {"phone": user.phone, "password": password}).status_code == 302


def test_logout_is_a_post(customer_client):
    assert customer_client.get(reverse("shop:logout")).status_code == 405
    response = customer_client.post(reverse("shop:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in customer_client.session


def test_forms_are_protected_by_csrf(customer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("shop:login"), {"phone": customer.phone, "password": "x"}).status_code == 403


def test_sign_in_and_registration_are_two_pages_one_link_apart(client, password):
    """Checkout's sign-in step: a login form with one «Войти», and a link to register that keeps `next`."""
    user = UserFactory(phone="+79161234567")
    login_page = client.get(reverse("shop:login") + "?next=/checkout/").content.decode()
    assert login_page.count('type="submit"') == 1 and "Вход или регистрация" in login_page
    assert f'href="{reverse("shop:register")}?next=/checkout/"' in login_page
    register_page = client.get(reverse("shop:register") + "?next=/checkout/").content.decode()
    assert register_page.count('type="submit"') == 1 and "formaction" not in register_page
    assert f'href="{reverse("shop:login")}?next=/checkout/"' in register_page
    response = client.post(
        reverse("shop:login"), {"phone": "8 916 123-45-67", "password": password, "next": "/checkout/"}
    )
    assert response.status_code == 302 and response["Location"] == "/checkout/"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_the_header_keeps_its_sign_in_link_on_the_sign_in_pages(client):
    for name in ("shop:login", "shop:register"):
        html = client.get(reverse(name)).content.decode()
        assert f'<a href="{reverse("shop:login")}">Войти</a>' in html
