"""Account rules: registration with a normalised phone, sign-in, JWT pairs, the customer's profile."""

from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.phones import phone_normalize
from accounts.selectors import user_phone_taken
from config.errors import DomainError

PROFILE_FIELDS = ("full_name", "email", "address", "cdek_point", "telegram", "vk")


class PhoneTaken(DomainError):
    code = "phone_taken"
    default_message = "Пользователь с таким номером телефона уже зарегистрирован."

    def __init__(self, message: str | None = None, **extra):
        # Also as a field error, so a registration form can show it beside the phone input.
        super().__init__(message, phone=[message or self.default_message], **extra)


class TokenRejected(DomainError):
    status = 401
    code = "token_not_valid"
    default_message = "Токен недействителен или срок его действия истёк."


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"
    default_message = "Неверный номер телефона или пароль."


@transaction.atomic
def user_register(*, phone: str, password: str, full_name: str = "", email: str = "") -> User:
    """Create a customer. The phone is stored in E.164, so one number written two ways is one account."""
    try:
        phone = phone_normalize(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.error_list}) from exc
    if user_phone_taken(phone=phone):
        raise PhoneTaken()
    user = User(phone=phone, full_name=full_name, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration of the same number won the race
        raise PhoneTaken() from exc
    return user


def user_authenticate(*, phone: str, password: str, request=None) -> User:
    """The active user with this phone and password; any mismatch is one and the same refusal."""
    try:
        phone = phone_normalize(phone)
    except ValidationError as exc:
        raise InvalidCredentials() from exc
    user = authenticate(request, phone=phone, password=password)
    if user is None:
        raise InvalidCredentials()
    update_last_login(None, user)
    return user


def user_tokens(*, user: User) -> dict[str, str]:
    """A fresh JWT pair: the access token for requests, the refresh token (rotated on use) for new ones."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def user_tokens_refresh(*, refresh: str) -> dict[str, str]:
    """Trade a refresh token for a new pair. A refresh token works once: it is blacklisted as it is used.

    The token's outstanding row is locked, so two requests racing with the same token get one pair, not two.
    """
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise TokenRejected() from exc
    outstanding = (
        OutstandingToken.objects.select_for_update(of=("self",))
        .filter(jti=token[jwt_settings.JTI_CLAIM])
        .order_by()
        .first()
    )
    if outstanding is None:
        raise TokenRejected()
    _, blacklisted_now = BlacklistedToken.objects.get_or_create(token=outstanding)
    if not blacklisted_now:
        raise TokenRejected()
    user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active:
        raise TokenRejected()
    return user_tokens(user=user)


def user_update_profile(*, user: User, data: dict) -> User:
    """Change the customer's own contact details; phone and access rights are not theirs to change."""
    changed = [field for field in PROFILE_FIELDS if field in data]
    for field in changed:
        setattr(user, field, data[field])
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
    return user


def user_remember_delivery(*, user: User, address: str, cdek_point: str) -> User:
    """The first delivery details a customer gives fill the empty fields of their profile, for the next order."""
    remembered = {
        field: value
        for field, value in (("address", address), ("cdek_point", cdek_point))
        if value and not getattr(user, field)
    }
    return user_update_profile(user=user, data=remembered)
