"""Sign-up, sign-in, token refresh and the customer's own profile."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import services
from accounts.consents import ConsentAct
from accounts.models import ConsentSource
from accounts.personal_data import user_data_export, user_delete
from accounts.serializers import (
    AccountDeleteSerializer,
    DoneSerializer,
    LoginSerializer,
    PasswordResetSerializer,
    RefreshSerializer,
    RegisteredSerializer,
    RegisterSerializer,
    SmsCodeRequestSerializer,
    SmsCodeSentSerializer,
    SmsSignedInSerializer,
    SmsSignInSerializer,
    TokenPairSerializer,
    UserSerializer,
)
from accounts.throttles import AuthIPThrottle, AuthPhoneThrottle, RegisterThrottle
from config.api import error_responses
from config.client_ip import client_ip


class AuthViewSet(viewsets.GenericViewSet):
    """Phone and password in, a JWT pair out."""

    permission_classes = [permissions.AllowAny]
    # A stale or forged Authorization header must not stand between a customer and signing in again.
    authentication_classes: list = []
    serializer_class = LoginSerializer

    def get_throttles(self):
        if self.action == "register":  # per address network, counted with the storefront's registrations
            return [RegisterThrottle(), AuthPhoneThrottle()]
        if self.action == "login":
            return [AuthIPThrottle(), AuthPhoneThrottle()]
        return []

    @extend_schema(
        operation_id="auth_register",
        request=RegisterSerializer,
        responses={201: RegisteredSerializer, **error_responses(400, 429)},
        description="Регистрация по телефону и паролю (не короче 6 символов) с согласием на обработку персональных "
        "данных (`personal_data_consent: true`, иначе 400 `consent_required`). Телефон приводится к +7XXXXXXXXXX; "
        "уже зарегистрированный номер в любом написании — 400 с кодом `phone_taken`.",
    )
    @action(detail=False, methods=["post"])
    def register(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        given = data.pop("personal_data_consent")
        consent = ConsentAct.from_request(request, source=ConsentSource.REGISTER, channel="api") if given else None
        user = services.user_register(**data, consent=consent, consent_required=True)
        body = {"user": UserSerializer(user).data, **services.user_tokens(user=user)}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="auth_login",
        request=LoginSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401, 429)},
        description="Вход по телефону и паролю. Неверные данные — 401 с кодом `invalid_credentials`. После "
        "5 неверных паролей подряд (здесь, на сайте или в админке, номер в любом написании) вход по паролю "
        "закрыт на 15 минут — 429 `login_locked`; вход по коду из SMS работает.",
    )
    @action(detail=False, methods=["post"])
    def login(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_authenticate(request=request, **serializer.validated_data)
        return Response(services.user_tokens(user=user))

    @extend_schema(
        operation_id="auth_refresh",
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401)},
        description="Новая пара токенов; использованный токен обновления больше не действует.",
    )
    @action(detail=False, methods=["post"])
    def refresh(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(services.user_tokens_refresh(refresh=serializer.validated_data["refresh"]))


class UserViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = UserSerializer

    @extend_schema(operation_id="users_me_retrieve", responses={200: UserSerializer, **error_responses(401)})
    @action(detail=False, methods=["get"])
    def me(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        operation_id="users_me_partial_update",
        request=UserSerializer,
        responses={200: UserSerializer, **error_responses(400, 401)},
        description="Изменение профиля. Телефон и права доступа только для чтения.",
    )
    @me.mapping.patch
    def me_update(self, request):
        serializer = UserSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, data=serializer.validated_data)
        return Response(UserSerializer(user).data)

    @extend_schema(
        operation_id="users_me_data",
        responses={200: OpenApiTypes.OBJECT, **error_responses(401)},
        description="Все данные о покупателе, которые хранит магазин (152-ФЗ): профиль, согласия, заказы, "
        "лист ожидания, места в очередях, отправленные SMS — одним JSON.",
    )
    @action(detail=False, methods=["get"], url_path="me/data")
    def me_data(self, request):
        return Response(user_data_export(user=request.user))

    @extend_schema(
        operation_id="users_me_destroy",
        request=AccountDeleteSerializer,
        responses={204: None, **error_responses(400, 401)},
        description="Удалить аккаунт: сначала код по SMS на свой номер (`auth/sms/`), затем `{code}`. Профиль "
        "обезличивается (имя, телефон, адреса в заказах заменяются), заказы и чеки остаются; все сессии и токены "
        "перестают действовать. Неверный код — 400 `sms_code_invalid`.",
    )
    @me.mapping.delete
    def me_delete(self, request):
        serializer = AccountDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_delete(user=request.user, code=serializer.validated_data["code"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class SmsAuthViewSet(viewsets.GenericViewSet):
    """Signing in, registering and resetting a password with a one-time code sent by SMS.

    The password login throttles do not apply here: a stranger's failed passwords never lock a customer out of
    signing in by code. The code's own limits (`accounts.sms_limits`, tries per code) hold instead.
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    serializer_class = SmsCodeRequestSerializer

    @extend_schema(
        operation_id="auth_sms",
        request=SmsCodeRequestSerializer,
        responses={202: SmsCodeSentSerializer, **error_responses(400, 429)},
        description="Отправить код из 6 цифр по SMS (живёт 5 минут). Ответ одинаков, есть ли у номера аккаунт. "
        "Не чаще раза в минуту и 5 раз в час на номер, 20 раз в час с сети адресов (/24, /64): иначе 429 с "
        "`retry_after`. Номер считается, только когда код отправлен.",
    )
    @action(detail=False, methods=["post"], url_path="sms")
    def sms(self, request):
        serializer = SmsCodeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resend_after = services.sms_code_send(phone=serializer.validated_data["phone"], address=client_ip(request))
        return Response({"resend_after": resend_after}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="auth_sms_verify",
        request=SmsSignInSerializer,
        responses={200: SmsSignedInSerializer, **error_responses(400, 403)},
        description="Войти по коду из SMS; для нового номера создаётся аккаунт (`created: true`). Неверный код — "
        "400 `sms_code_invalid` с `tries_left`; истёкший или использованный — `sms_code_expired`; после 5 неверных "
        "попыток — `sms_code_attempts_exceeded`.",
    )
    @action(detail=False, methods=["post"], url_path="sms/verify")
    def sms_verify(self, request):
        serializer = SmsSignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        given = data.pop("personal_data_consent")
        act = ConsentAct.from_request(request, source=ConsentSource.SMS_SIGN_IN, channel="api") if given else None
        user, created = services.user_sign_in_by_code(**data, consent=act)
        body = {"user": UserSerializer(user).data, "created": created, **services.user_tokens(user=user)}
        return Response(body)

    @extend_schema(
        operation_id="auth_password_reset",
        request=PasswordResetSerializer,
        responses={200: DoneSerializer, **error_responses(400)},
        description="Новый пароль по коду из SMS (`auth/sms/`). Все прежние токены (доступа и обновления) сразу "
        "перестают действовать (401 `token_not_valid`), как и входы на сайте с других устройств.",
    )
    @action(detail=False, methods=["post"], url_path="password/reset")
    def password_reset(self, request):
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        given = data.pop("personal_data_consent")
        act = ConsentAct.from_request(request, source=ConsentSource.REGISTER, channel="api") if given else None
        services.user_password_reset(**data, consent=act)
        return Response({"detail": "Пароль изменён. Войдите с новым паролем."})
