from django.contrib.auth.password_validation import validate_password
from rest_framework import serializers

from accounts.models import User
from accounts.phones import phone_normalize


class UserSerializer(serializers.ModelSerializer):
    """The customer's profile; phone and access rights are read-only."""

    class Meta:
        model = User
        fields = [
            "id",
            "phone",
            "full_name",
            "email",
            "address",
            "cdek_point",
            "telegram",
            "vk",
            "phone_verified",
            "is_staff",
            "date_joined",
        ]
        read_only_fields = ["id", "phone", "phone_verified", "is_staff", "date_joined"]
        extra_kwargs = {"address": {"max_length": 2000}}

    date_joined = serializers.DateTimeField(source="created_at", read_only=True)


class RegisterSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32, help_text="Номер в любом написании: +7 916 123-45-67, 8916…")
    password = serializers.CharField(
        max_length=128, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    full_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    personal_data_consent = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="Согласие на обработку персональных данных (152-ФЗ) по политике `pages/privacy/`: "
        "`true`, иначе 400 `consent_required`.",
    )

    def validate_phone(self, value):
        return phone_normalize(value)

    def validate_password(self, value):
        validate_password(value)
        return value


class LoginSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Токен доступа: заголовок `Authorization: Bearer <access>`, 24 часа.")
    refresh = serializers.CharField(help_text="Токен обновления; после использования заменяется новым.")


class RegisteredSerializer(TokenPairSerializer):
    user = UserSerializer()


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class SmsCodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32, help_text="Номер в любом написании: +7 916 123-45-67, 8916…")

    def validate_phone(self, value):
        return phone_normalize(value)


class SmsCodeSentSerializer(serializers.Serializer):
    resend_after = serializers.IntegerField(help_text="Через сколько секунд можно запросить новый код.")


class SmsCodeVerifySerializer(SmsCodeRequestSerializer):
    code = serializers.RegexField(
        r"^\s*\d{6}\s*$",
        max_length=16,
        help_text="6 цифр из SMS.",
        error_messages={"invalid": "Введите 6 цифр из SMS."},
    )


class SmsSignInSerializer(SmsCodeVerifySerializer):
    personal_data_consent = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="Согласие на обработку персональных данных (152-ФЗ): нужно, когда номер новый (аккаунт "
        "создаётся этим входом); без него верный код не тратится и ответ — 400 `consent_required`.",
    )


class SmsSignedInSerializer(TokenPairSerializer):
    user = UserSerializer()
    created = serializers.BooleanField(help_text="Аккаунт создан этим входом.")


class PasswordResetSerializer(SmsCodeVerifySerializer):
    password = serializers.CharField(
        max_length=128, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    personal_data_consent = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="Согласие на обработку персональных данных: нужно, когда у номера ещё нет аккаунта (он "
        "создаётся с этим паролем); без него верный код не тратится и ответ — 400 `consent_required`.",
    )

    def validate_password(self, value):
        validate_password(value)
        return value


class DoneSerializer(serializers.Serializer):
    detail = serializers.CharField()


class AccountDeleteSerializer(serializers.Serializer):
    code = serializers.RegexField(
        r"^\s*\d{6}\s*$",
        max_length=16,
        help_text="6 цифр из SMS, отправленного на номер аккаунта (`auth/sms/`).",
        error_messages={"invalid": "Введите 6 цифр из SMS."},
    )
