from django import forms
from django.utils.translation import gettext_lazy as _

from promos.models import PromoCode
from promos.services import PROMO_GENERATE_MAX, PromoCodeRejected, promo_check, promo_draft


class PromoCodeForm(forms.ModelForm):
    """A code's fields; `promo_check` says in words what the database would refuse."""

    class Meta:
        model = PromoCode
        fields = [
            "code",
            "description",
            "discount_percent",
            "discount_amount",
            "max_uses",
            "max_uses_per_customer",
            "first_order_only",
            "valid_from",
            "valid_until",
            "is_active",
            "products",
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                promo_check(promo=promo_draft(promo=self.instance, data=cleaned))
            except PromoCodeRejected as error:
                self.add_error(error.field, error.message)
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
    single_use = forms.BooleanField(
        label=_("Одноразовые"),
        required=False,
        initial=True,
        help_text=_("Каждый код — на один заказ. Коды сразу скачаются файлом CSV."),
    )
