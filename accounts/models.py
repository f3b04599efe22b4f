from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.phones import phone_normalize
from config.models import TimeStampedModel
from config.russian import datetime_ru, phone_ru


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, phone):
        return self.get(phone=phone_normalize(phone))

    def _create_user(self, phone, password, **extra_fields):
        if not phone:
            raise ValueError("The phone must be set")
        user = self.model(phone=phone_normalize(phone), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(phone, password, **extra_fields)

    def create_superuser(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser")
        return self._create_user(phone, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    """A customer or a staff member, who signs in with a phone number."""

    phone = models.CharField(_("телефон"), max_length=16, unique=True, help_text=_("В формате +79991234567."))
    full_name = models.CharField(_("ФИО"), max_length=255, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("адрес доставки"), blank=True)
    cdek_point = models.CharField(_("пункт СДЭК"), max_length=255, blank=True)
    telegram = models.CharField(_("Telegram"), max_length=64, blank=True)
    vk = models.CharField(_("ВКонтакте"), max_length=128, blank=True)
    phone_verified = models.BooleanField(
        _("телефон подтверждён"), default=False, help_text=_("Пользователь получил и ввёл код из SMS.")
    )
    is_staff = models.BooleanField(_("сотрудник"), default=False)
    is_active = models.BooleanField(_("активен"), default=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["-created_at"]

    def __str__(self):
        phone = phone_ru(self.phone)
        return f"{self.full_name} ({phone})" if self.full_name else phone

    def get_short_name(self) -> str:
        """How the admin greets the staff member: the name, else the phone as people write it."""
        return self.full_name or phone_ru(self.phone)

    def clean(self):
        super().clean()
        if self.phone:
            self.phone = phone_normalize(self.phone)

    def save(self, *args, **kwargs):
        if self.phone:
            self.phone = phone_normalize(self.phone)
        super().save(*args, **kwargs)


# A code dies after this many tries (DESIGN: 5).
SMS_CODE_MAX_ATTEMPTS = 5


class SmsCode(TimeStampedModel):
    """A one-time sign-in code sent by SMS: only its hash is kept; it lives until `expires_at`, for a few tries."""

    phone = models.CharField(_("телефон"), max_length=16)
    code_hash = models.CharField(_("хеш кода"), max_length=128)
    expires_at = models.DateTimeField(_("действует до"))
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)

    class Meta:
        verbose_name = _("код из SMS")
        verbose_name_plural = _("коды из SMS")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["phone", "-created_at"], name="smscode_phone_recent_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(attempts__lte=SMS_CODE_MAX_ATTEMPTS), name="smscode_attempts_capped"
            ),
        ]

    def __str__(self):
        return (
            f"{phone_ru(self.phone)} ({datetime_ru(self.created_at)})" if self.created_at else phone_ru(self.phone)
        )


class ConsentSource(models.TextChoices):
    REGISTER = "register", _("Регистрация")
    SMS_SIGN_IN = "sms_sign_in", _("Вход по коду из SMS")
    CHECKOUT = "checkout", _("Оформление заказа")


class Consent(models.Model):
    """One act of consent to the processing of personal data (152-FZ): who, when, from where, to which edition
    of the policy. Kept as evidence; a withdrawal is a date on the row, never a deletion."""

    Source = ConsentSource

    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("покупатель"),
    )
    phone = models.CharField(_("телефон"), max_length=32, blank=True)
    source = models.CharField(_("где дано"), max_length=16, choices=ConsentSource.choices)
    channel = models.CharField(
        _("канал"), max_length=8, default="web", help_text=_("web — сайт, api — приложение.")
    )
    policy_slug = models.SlugField(_("политика"), max_length=100)
    policy_version = models.PositiveIntegerField(_("редакция политики"), null=True, blank=True)
    policy_sha256 = models.CharField(_("SHA-256 текста политики"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер (User-Agent)"), max_length=512, blank=True)
    created_at = models.DateTimeField(_("дано"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("отозвано"), null=True, blank=True)

    class Meta:
        verbose_name = _("согласие на обработку ПДн")
        verbose_name_plural = _("согласия на обработку ПДн")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="consent_user_created_idx")]

    def __str__(self):
        return f"{phone_ru(self.phone) or self.user_id} · {self.get_source_display()}"
