"""Storefront forms: input checks only. What may be ordered and for how much is decided by the services."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.lockout import LoginLocked
from accounts.phones import phone_normalize
from accounts.services import InvalidCredentials, user_authenticate
from catalog.models import Product
from delivery.models import DeliveryMethod
from shop.selectors import MAX_ID

User = get_user_model()


def form_refusal(form: forms.Form, refusal) -> None:
    """A service's refusal shown next to the field it names (`DomainError.field`), else above the form."""
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


class PhoneField(forms.CharField):
    """A phone typed any usual way, cleaned to E.164 (`+79991234567`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Телефон")
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "placeholder": "+7 999 123-45-67"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return phone_normalize(value) if value else value


class CatalogFilterForm(forms.Form):
    """The catalog's filters, named like the API's product filters."""

    TYPE_CHOICES = [
        ("", "Все товары"),
        (Product.OrderType.IN_STOCK, "В наличии"),
        (Product.OrderType.PREORDER, "Предзаказ"),
    ]

    search = forms.CharField(label="Поиск", required=False, max_length=100)
    order_type = forms.ChoiceField(label="Тип", choices=TYPE_CHOICES, required=False)
    min_price = forms.DecimalField(
        label="Цена от, ₽", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    max_price = forms.DecimalField(
        label="Цена до, ₽", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    ordering = forms.ChoiceField(
        label="Сортировка",
        required=False,
        choices=[("", "Новинки"), ("price", "Дешевле"), ("-price", "Дороже")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["search"].widget.attrs.update({"type": "search", "placeholder": "Худи, футболка, артикул…"})
        for name in ("min_price", "max_price"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "step": "1"})

    def filters(self) -> dict:
        """The valid filters only: a mistyped price is shown as an error and ignored, the rest still applies."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return {
            "search": (data.get("search") or "").strip(),
            "order_type": data.get("order_type") or "",
            "min_price": data.get("min_price"),
            "max_price": data.get("max_price"),
            "ordering": data.get("ordering") or "",
        }


def _quantity_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label="Количество",
        min_value=1,
        max_value=settings.ORDER_MAX_LINE_QUANTITY,
        error_messages={
            "required": "Укажите количество.",
            "min_value": "Количество должно быть не меньше 1.",
            "max_value": "Не больше %(limit_value)s шт. в одной позиции.",
            "invalid": "Введите целое число.",
        },
        widget=forms.NumberInput(
            attrs={"min": 1, "max": settings.ORDER_MAX_LINE_QUANTITY, "inputmode": "numeric"}
        ),
        **kwargs,
    )


class AddToCartForm(forms.Form):
    """Size and quantity of one product; sizes that cannot be ordered now are shown but refused."""

    size = forms.ChoiceField(
        label="Размер", widget=forms.RadioSelect, error_messages={"required": "Выберите размер."}
    )
    quantity = _quantity_field(initial=1)

    def __init__(self, *args, size_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.size_choices = size_choices
        self.fields["size"].choices = [(choice.label, choice.label) for choice in size_choices]
        if len(size_choices) == 1 and size_choices[0].available:
            self.fields["size"].initial = size_choices[0].label

    def clean_size(self):
        size = self.cleaned_data["size"]
        if not any(choice.label == size and choice.available for choice in self.size_choices):
            raise ValidationError("Этого размера сейчас нет: выберите другой.")
        return size


class CartLineForm(forms.Form):
    product = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    size = forms.CharField(max_length=32, widget=forms.HiddenInput)
    quantity = _quantity_field()


class CartRemoveForm(forms.Form):
    product = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    size = forms.CharField(max_length=32, widget=forms.HiddenInput)


class PromoCodeForm(forms.Form):
    promo_code = forms.CharField(
        label="Промокод",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_promo_code(self):
        code = self.cleaned_data["promo_code"].strip().upper()
        if not code:
            raise ValidationError("Введите промокод.")
        return code


class WaitlistForm(forms.Form):
    phone = PhoneField(error_messages={"required": "Укажите телефон."})
    size = forms.CharField(label="Размер", max_length=32, required=False)


def consent_field(*, required: bool = False) -> forms.BooleanField:
    """The unticked box of consent to the processing of personal data; the template links the policy."""
    return forms.BooleanField(
        label="Согласен на обработку персональных данных",
        required=required,
        error_messages={"required": "Отметьте согласие на обработку персональных данных."},
    )


class RegisterForm(forms.Form):
    phone = PhoneField(error_messages={"required": "Укажите телефон."})
    full_name = forms.CharField(
        label="Имя и фамилия",
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label="Пароль",
        strip=False,
        error_messages={"required": "Придумайте пароль."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "minlength": 6}),
        help_text="Не короче 6 символов.",
    )
    # Unticked; the service refuses registration without it (the same rule as the API's).
    personal_data_consent = consent_field()


class LoginForm(forms.Form):
    """Phone and password; wrong passwords count towards the account's one lockout (`accounts.lockout`)."""

    phone = PhoneField(error_messages={"required": "Укажите телефон."})
    password = forms.CharField(
        label="Пароль",
        strip=False,
        error_messages={"required": "Введите пароль."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None

    def clean(self):
        cleaned = super().clean()
        phone, password = cleaned.get("phone"), cleaned.get("password")
        if not phone or not password:
            return cleaned
        try:
            self.user = user_authenticate(phone=phone, password=password, request=self.request)
        except (LoginLocked, InvalidCredentials) as refusal:
            raise ValidationError(refusal.message) from refusal
        return cleaned


class SmsCodeRequestForm(forms.Form):
    """The phone a sign-in code goes to."""

    phone = PhoneField(error_messages={"required": "Укажите телефон."})


class SmsSignInForm(forms.Form):
    """The code from SMS for the phone it was sent to (carried along hidden)."""

    phone = PhoneField(error_messages={"required": "Укажите телефон."}, widget=forms.HiddenInput)
    code = forms.RegexField(
        r"^\s*\d{6}\s*$",
        label="Код из SMS",
        max_length=16,
        error_messages={"required": "Введите код из SMS.", "invalid": "Введите 6 цифр из SMS."},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6, "autofocus": True}
        ),
    )
    # Needed when the phone is new (the account is created by this sign-in); the service decides.
    personal_data_consent = consent_field()


class PhoneConfirmForm(forms.Form):
    """The code from SMS that proves a signed-in customer's own phone."""

    code = SmsSignInForm.declared_fields["code"]


class PasswordResetForm(SmsSignInForm):
    password = forms.CharField(
        label="Новый пароль",
        strip=False,
        error_messages={"required": "Придумайте новый пароль."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "minlength": 6}),
        help_text="Не короче 6 символов.",
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "address", "cdek_point", "telegram", "vk"]
        labels = {
            "full_name": "Имя и фамилия",
            "email": "Email",
            "address": "Адрес доставки",
            "cdek_point": "Пункт СДЭК",
            "telegram": "Telegram",
            "vk": "ВКонтакте",
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class CheckoutForm(forms.Form):
    """How the order travels and which code to apply. Like the API, the ordering service decides what an order
    needs: a pickup point or an address (the method is inferred when not chosen)."""

    delivery_method = forms.ChoiceField(
        label="Способ доставки",
        required=False,
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
    )
    city = forms.CharField(
        label="Город",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        help_text="Покажем пункты выдачи СДЭК в этом городе и посчитаем доставку.",
    )
    delivery_address = forms.CharField(
        label="Адрес доставки",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text="Улица, дом, квартира — для курьера СДЭК.",
    )
    cdek_point = forms.CharField(
        label="Код пункта выдачи СДЭК",
        required=False,
        max_length=255,
        help_text="Укажите город, чтобы выбрать пункт из списка, или введите код пункта.",
    )
    promo_code = forms.CharField(
        label="Промокод",
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    # One token per checkout page: a double click or a resubmitted form places one order (see `order_place`).
    checkout_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # Shown to a customer with no consent on record (`accounts.consents.consent_for_checkout` decides).
    personal_data_consent = consent_field()

    def clean_promo_code(self):
        return self.cleaned_data["promo_code"].strip().upper()


class ReturnForm(forms.Form):
    """A return's reason; the quantities per line (`quantity_<item id>`) are read by the view."""

    REASONS = [
        ("", "Выберите причину"),
        ("Не подошёл размер", "Не подошёл размер"),
        ("Не подошёл фасон или цвет", "Не подошёл фасон или цвет"),
        ("Брак или повреждение", "Брак или повреждение"),
        ("Привезли не тот товар", "Привезли не тот товар"),
        ("Другое", "Другое"),
    ]
    reason = forms.ChoiceField(label="Причина возврата", choices=REASONS)
    details = forms.CharField(
        label="Подробнее",
        required=False,
        max_length=800,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Например, какой размер подошёл бы. Для брака опишите, что не так.",
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == "Другое" and not (data.get("details") or "").strip():
            self.add_error("details", "Расскажите, почему возвращаете товар.")
        return data

    def reason_text(self) -> str:
        details = (self.cleaned_data.get("details") or "").strip()
        return f"{self.cleaned_data['reason']}: {details}" if details else self.cleaned_data["reason"]


class DrawEntryForm(forms.Form):
    """An entry in a draw: the size, how the prize travels. The payment is a hold made on YooKassa's page."""

    size = forms.ChoiceField(label="Размер", widget=forms.RadioSelect)
    delivery_method = forms.ChoiceField(
        label="Способ доставки", required=False, choices=DeliveryMethod.choices, widget=forms.RadioSelect
    )
    city = forms.CharField(label="Город", required=False, max_length=100)
    delivery_address = forms.CharField(
        label="Адрес доставки",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
        help_text="Улица, дом, квартира — для курьера СДЭК.",
    )
    cdek_point = forms.CharField(label="Код пункта выдачи СДЭК", required=False, max_length=64)

    def __init__(self, *args, sizes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["size"].choices = [(size, size) for size in sizes]
