from django import forms
from django.utils.translation import gettext_lazy as _

from promos.models import PromoCode
from promos.services import PROMO_GENERATE_MAX


class PromoCodeForm(forms.ModelForm):
    """The table's checks, said in words staff read before the database would refuse."""

    class Meta:
        model = PromoCode
        fields = [
            "code",
            "description",
            "discount_percent",
            "discount_amount",
            "max_uses",
            "valid_from",
            "valid_until",
            "is_active",
            "products",
        ]

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip().upper()
        if not code:
            raise forms.ValidationError(_("Укажите код."))
        if PromoCode.objects.filter(code__iexact=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Такой промокод уже есть."))
        return code

    def clean(self):
        cleaned = super().clean()
        percent, amount = cleaned.get("discount_percent"), cleaned.get("discount_amount")
        if (percent is None) == (amount is None) and "discount_percent" not in self.errors:
            self.add_error("discount_percent", _("Укажите скидку в процентах или в рублях — что-то одно."))
        if percent is not None and not 1 <= percent <= 100:
            self.add_error("discount_percent", _("Процент скидки — от 1 до 100."))
        if amount is not None and amount <= 0:
            self.add_error("discount_amount", _("Скидка в рублях должна быть больше нуля."))
        valid_from, valid_until = cleaned.get("valid_from"), cleaned.get("valid_until")
        if valid_from and valid_until and valid_until <= valid_from:
            self.add_error("valid_until", _("Окончание действия должно быть позже начала."))
        max_uses = cleaned.get("max_uses")
        if max_uses is not None and max_uses < self.instance.current_uses:
            self.add_error(
                "max_uses",
                _("Код уже использован %(n)s раз: лимит не может быть меньше.")
                % {"n": self.instance.current_uses},
            )
        return cleaned


class PromoGenerateForm(forms.Form):
    """How many codes to make from the chosen code, and how they start."""

    prefix = forms.CharField(
        label=_("Префикс"),
        max_length=20,
        required=False,
        help_text=_("Латинские буквы и цифры, например DROP7: коды будут вида DROP7-K7M2QX9P."),
    )
    count = forms.IntegerField(label=_("Сколько кодов"), min_value=1, max_value=PROMO_GENERATE_MAX, initial=10)
