"""Account rules: registration with a normalised phone, sign-in, JWT pairs, the customer's profile."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.consents import ConsentAct, ConsentRequired, consent_record
from accounts.lockout import LoginLocked, lockout_clear
from accounts.models import SMS_CODE_MAX_ATTEMPTS, SmsCode, User
from accounts.phones import phone_normalize
from accounts.selectors import user_phone_taken
from accounts.sms import sms_enqueue, sms_signed
from accounts.sms_limits import sms_limit_take
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
def user_register(
    *,
    phone: str,
    password: str,
    full_name: str = "",
    email: str = "",
    consent: ConsentAct | None = None,
    consent_required: bool = False,
) -> User:
    """Create a customer. The phone is stored in E.164, so one number written two ways is one account.

    `consent` (the act of consent to the processing of personal data) is recorded with the account, in the same
    transaction. The page and the API register with `consent_required`: a new account without it is refused
    (ConsentRequired) once the number is known to be free and the password good."""
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
    if consent is None and consent_required:
        raise ConsentRequired()
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration of the same number won the race
        raise PhoneTaken() from exc
    if consent is not None:
        consent_record(user=user, act=consent)
    return user


def user_register_or_sign_in(
    *, phone: str, password: str, full_name: str = "", request=None, consent: ConsentAct | None = None
) -> tuple[User, bool]:
    """Registration where a taken number is a sign-in attempt, held to the sign-in's lockout: the right password
    signs its owner in; a wrong one counts as a failed sign-in of that account (`accounts.lockout`) and is
    `PhoneTaken`, like any taken number, so the answer never confirms whose number it is. Returns the user and
    whether the account is new. A new account needs the customer's `consent` (ConsentRequired); signing in
    asks none."""
    try:
        user = user_register(
            phone=phone, password=password, full_name=full_name, consent=consent, consent_required=True
        )
        return user, True
    except PhoneTaken:
        try:
            return user_authenticate(phone=phone, password=password, request=request), False
        except (InvalidCredentials, LoginLocked) as refusal:
            raise PhoneTaken() from refusal


def user_authenticate(*, phone: str, password: str, request=None) -> User:
    """The active user with this phone and password; any mismatch is one and the same refusal.

    With a request the attempt counts towards the account's lockout (`accounts.lockout`): a locked account, or
    the failure that locks it, is `LoginLocked` (429) whatever the password."""
    try:
        phone = phone_normalize(phone)
    except ValidationError as exc:
        raise InvalidCredentials() from exc
    user = authenticate(request, phone=phone, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise LoginLocked(retry_after=settings.LOGIN_LOCKOUT_SECONDS)
        raise InvalidCredentials()
    if request is not None:
        lockout_clear(phone=user.phone)
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
    if user is None or not user.is_active or not _token_password_current(token, user):
        raise TokenRejected()
    return user_tokens(user=user)


def _token_password_current(token, user: User) -> bool:
    """Whether the token was issued under the account's current password (see `CHECK_REVOKE_TOKEN`)."""
    if not jwt_settings.CHECK_REVOKE_TOKEN:
        return True
    return token.get(jwt_settings.REVOKE_TOKEN_CLAIM) == get_md5_hash_password(user.password)


class PhoneNotVerified(DomainError):
    """A drop's limits count people: the buyer has to prove the phone with a code by SMS first."""

    status = 403
    code = "phone_not_verified"
    default_message = "Подтвердите номер телефона кодом из SMS: без этого участвовать в дропе нельзя."


def buyer_verified_require(user: User) -> None:
    """Refuse a buyer whose phone is not `phone_verified` (`PhoneNotVerified`, 403 `phone_not_verified`).

    A drop's limits (a waiting room's places, a draw's entries, a product's `max_per_customer`) count people, and
    an account costs nothing to make while a phone that received a code does: every such step calls this first.
    The phone is proved by a code (`auth/sms/` then `auth/sms/verify/` with the account's phone).
    """
    if not getattr(user, "phone_verified", False):
        raise PhoneNotVerified()


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


# --- Sign-in codes by SMS ------------------------------------------------------------------------------------------
SMS_CODE_DIGITS = 6
SMS_CODE_LIFETIME = timedelta(minutes=5)


class SmsCodeRejected(DomainError):
    code = "sms_code_invalid"
    default_message = "Неверный код. Проверьте SMS и попробуйте ещё раз."


class SmsCodeExpired(SmsCodeRejected):
    code = "sms_code_expired"
    default_message = "Код истёк или уже использован. Запросите новый."


class SmsCodeTriesExhausted(SmsCodeRejected):
    code = "sms_code_attempts_exceeded"
    default_message = "Слишком много неверных попыток: этот код больше не действует. Запросите новый."


class AccountDisabled(DomainError):
    status = 403
    code = "account_disabled"
    default_message = "Аккаунт отключён. Обратитесь в поддержку магазина."


def _phone_field(phone: str) -> str:
    try:
        return phone_normalize(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.error_list}) from exc


def _sms_code_hash(phone: str, code: str) -> str:
    # Keyed with the secret key: a leaked table does not give away live codes by a 10^6 brute force.
    return salted_hmac("accounts.sms_code", f"{phone}:{code}", algorithm="sha256").hexdigest()


def sms_code_send(*, phone: str, address: str = "") -> int:
    """Text a new 6-digit code to `phone` for signing in, registering or resetting the password.

    The answer is the same whether the phone has an account or not, except that phones with one may use the
    shop's reserve of codes once a flood has spent the rest of the day's budget. Limits per client network, for
    the whole shop and per phone (`accounts.sms_limits`) refuse with the wait; a new code replaces the phone's
    earlier ones.
    Returns the seconds before another code may be asked for.
    """
    phone = _phone_field(phone)
    resend_after = sms_limit_take(phone=phone, address=address, known=user_phone_taken(phone=phone))
    code = f"{secrets.randbelow(10**SMS_CODE_DIGITS):0{SMS_CODE_DIGITS}d}"
    now = timezone.now()
    with transaction.atomic():
        SmsCode.objects.filter(phone=phone, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        SmsCode.objects.create(
            phone=phone, code_hash=_sms_code_hash(phone, code), expires_at=now + SMS_CODE_LIFETIME
        )
        sms_enqueue(phone=phone, text=sms_signed(f"код {code}. Никому его не сообщайте. Действует 5 минут."))
    return resend_after


def sms_code_use(*, phone: str, code: str, spend: bool = True) -> str:
    """Spend the phone's current code; the normalised phone when `code` is it.

    Every try counts before the code is compared, with a conditional update, so concurrent guesses cannot pass
    `SMS_CODE_MAX_ATTEMPTS` tries; a used, replaced or expired code is refused. Call it outside a transaction
    that may roll back, or the tries would be forgotten. With `spend=False` a right code is checked (the try
    counts) but stays usable: the customer is asked something first and sends it again.
    """
    phone = _phone_field(phone)
    code = "".join(str(code or "").split())
    now = timezone.now()
    entry = SmsCode.objects.filter(phone=phone).order_by("-created_at", "-id").first()
    if entry is None or entry.used_at is not None or entry.expires_at <= now:
        raise SmsCodeExpired()
    live = SmsCode.objects.filter(pk=entry.pk, used_at__isnull=True, expires_at__gt=now)
    if not live.filter(attempts__lt=SMS_CODE_MAX_ATTEMPTS).update(attempts=F("attempts") + 1):
        raise SmsCodeTriesExhausted()
    if not constant_time_compare(entry.code_hash, _sms_code_hash(phone, code)):
        tries_left = SMS_CODE_MAX_ATTEMPTS - entry.attempts - 1
        if tries_left <= 0:
            raise SmsCodeTriesExhausted()
        raise SmsCodeRejected(f"Неверный код. Осталось попыток: {tries_left}.", tries_left=tries_left)
    if not spend:
        return phone
    if not live.update(used_at=now):
        raise SmsCodeExpired()  # a concurrent request spent it first
    return phone


def user_sign_in_by_code(*, phone: str, code: str, consent: ConsentAct | None = None) -> tuple[User, bool]:
    """Sign in with a code from SMS; a phone without an account gets one (without a password).

    Returns the user and whether the account was created now. The phone is then `phone_verified`.
    A new account needs `consent` (152-FZ): without it a right code is refused with ConsentRequired and stays
    usable, so the customer ticks the box and sends the same code. The code is checked first: whether a phone
    has an account is told to nobody but the phone's owner. A consent given is recorded, new account or not.
    """
    needs_consent = consent is None and not user_phone_taken(phone=_phone_field(phone))
    phone = sms_code_use(phone=phone, code=code, spend=not needs_consent)
    if needs_consent:
        raise ConsentRequired()
    user, created = _user_for_verified_phone(phone)
    if consent is not None and user.is_active:
        consent_record(user=user, act=consent)
    if not user.is_active:
        raise AccountDisabled()
    update_last_login(None, user)
    return user, created


def user_phone_confirm(*, user: User, code: str) -> User:
    """Prove a signed-in customer's own phone with the code sent to it (`sms_code_send`): `phone_verified`."""
    sms_code_use(phone=user.phone, code=code)
    return _phone_verified(user)


def user_password_reset(*, phone: str, code: str, password: str, consent: ConsentAct | None = None) -> User:
    """Set a new password after a code from SMS; every earlier token of the account stops working at once (the
    tokens name the password they were issued under) and so does every signed-in session elsewhere (Django's
    session auth hash follows the password).

    The password is checked before the code is spent, so a too-short password costs no try. A phone without an
    account gets one with this password: its owner has just proved it, and, as for a sign-in by code, gives
    `consent` (ConsentRequired once the code is proved right; the code then stays usable).
    """
    try:
        validate_password(password)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc
    needs_consent = consent is None and not user_phone_taken(phone=_phone_field(phone))
    phone = sms_code_use(phone=phone, code=code, spend=not needs_consent)
    if needs_consent:
        raise ConsentRequired()
    with transaction.atomic():
        user, created = _user_for_verified_phone(phone)
        if created:
            consent_record(user=user, act=consent)
        user.set_password(password)
        user.save(update_fields=["password", "updated_at"])
        for token in OutstandingToken.objects.filter(user=user):
            BlacklistedToken.objects.get_or_create(token=token)
    return user


def _user_for_verified_phone(phone: str) -> tuple[User, bool]:
    user = User.objects.filter(phone=phone).first()
    created = False
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(phone=phone)  # an unusable password until one is set
                created = True
        except IntegrityError:  # a concurrent sign-in of the same new phone won the race
            user = User.objects.get(phone=phone)
    return _phone_verified(user), created


def _phone_verified(user: User) -> User:
    """The account's phone answered a code: `phone_verified`, from now on."""
    if not user.phone_verified:
        User.objects.filter(pk=user.pk).update(phone_verified=True)
        user.phone_verified = True
    return user
