import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError

from accounts.models import User
from accounts.phones import phone_normalize


@pytest.mark.parametrize(
    "raw",
    ["8 916 123-45-67", "+7 (916) 123-45-67", "79161234567", "7 916 123 45 67", "9161234567", "+79161234567"],
)
def test_phone_written_any_way_is_one_e164_number(raw):
    assert phone_normalize(raw) == "+79161234567"


@pytest.mark.parametrize("raw", ["", "abc", "123", "+7 916 123", "8 000 000 00 00 00 00 00"])
def test_phone_normalize_refuses_nonsense(raw):
    with pytest.raises(ValidationError):
        phone_normalize(raw)


@pytest.mark.django_db
def test_phones_written_differently_are_one_user():
    User.objects.create_user("8 916 123-45-67", "secret1")
    with pytest.raises(IntegrityError):
        User.objects.create_user("+7 (916) 123-45-67", "secret2")


@pytest.mark.django_db
def test_login_by_any_spelling_of_the_phone():
    User.objects.create_user("+7 (916) 123-45-67", "secret1")
    assert User.objects.get_by_natural_key("79 16 123 45 67").phone == "+79161234567"


@pytest.mark.django_db
def test_passwords_are_hashed_with_bcrypt(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.BCryptSHA256PasswordHasher"]
    user = User.objects.create_user("+79161234567", "secret1")
    assert user.password.startswith("bcrypt_sha256$")
    assert user.check_password("secret1")


@pytest.mark.django_db
def test_createsuperuser_noinput_reads_phone_and_password_from_env(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PHONE", "8 999 000-11-22")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "admin-pass")
    call_command("createsuperuser", "--noinput", verbosity=0)
    admin = User.objects.get(phone="+79990001122")
    assert admin.is_staff and admin.is_superuser and admin.check_password("admin-pass")
