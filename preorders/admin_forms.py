"""Admin forms for waves: the rules are `wave_change_check`'s; the change is made by `wave_update`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from preorders.audience import wave_audience_count, wave_audience_text
from preorders.errors import WaveChangeRefused, WaveTransitionRefused
from preorders.models import PreorderWave, WaveStatus
from preorders.services import WAVE_ADD_STATUSES, WAVE_STATUS_FLOW, wave_change_check


class WaveForm(forms.ModelForm):
    """A wave's capacity and status, plus what to tell its customers when the status changes."""

    status_message = forms.CharField(
        label=_("Сообщение покупателям"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": "Стандартный текст для статуса"}),
        help_text=_("Уйдёт в SMS и историю заказа при смене статуса. Пусто — стандартный текст."),
    )
    confirm_sms = forms.BooleanField(
        label=_("Отправить SMS покупателям"),
        required=False,
        help_text=_("Нужно, когда смена статуса пишет покупателям: сколько их, сказано при сохранении."),
    )

    class Meta:
        model = PreorderWave
        fields = ["capacity", "ships_on", "status"]
        widgets = {"ships_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new row is a new wave: it starts collecting.
            self.fields["status"].disabled = True
            return
        # Only the current status and those ahead of it are offered; capacity is fixed once collecting ends.
        ahead = WAVE_STATUS_FLOW[WAVE_STATUS_FLOW.index(self.instance.status) :]
        self.fields["status"].choices = [(value, label) for value, label in WaveStatus.choices if value in ahead]
        if self.instance.status != WaveStatus.COLLECTING:
            self.fields["capacity"].disabled = True
        if self.instance.status == WaveStatus.COMPLETED:
            self.fields["status"].disabled = True
            self.fields["status_message"].disabled = True

    def changes(self) -> dict:
        """What `wave_update` is asked to do: the capacity and status as typed, and the message."""
        cleaned = self.cleaned_data
        return {
            "capacity": cleaned.get("capacity"),
            "status": cleaned.get("status"),
            "message": cleaned.get("status_message", ""),
            "ships_on": cleaned.get("ships_on"),
        }

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        status, capacity = cleaned.get("status"), cleaned.get("capacity")
        try:
            wave_change_check(
                wave=self.instance,
                status=status if status != self.instance.status else None,
                capacity=capacity,
            )
        except WaveTransitionRefused as error:
            self.add_error("status", error.message)
        except WaveChangeRefused as error:
            self.add_error("capacity", error.message)
        if status and status != self.instance.status and not self.errors:
            self._texting_confirm(cleaned)
        return cleaned

    def _texting_confirm(self, cleaned) -> None:
        """A status change texts every customer of the wave's live orders: staff confirm it knowing how many."""
        count = wave_audience_count(wave=self.instance)
        if count and not cleaned.get("confirm_sms"):
            self.add_error(
                "confirm_sms",
                f"{wave_audience_text(count)}. Отметьте «Отправить SMS покупателям» и сохраните ещё раз.",
            )

    def _post_clean(self):
        # The model's own checks run on the new values only where the services will write them.
        pass


class WaveAddForm(forms.ModelForm):
    """A new wave, complete: the product (preorder products only), the capacity when it differs from the
    product's, the expected ship date and the status it starts in."""

    capacity = forms.IntegerField(
        label=_("ёмкость, шт."),
        required=False,
        min_value=1,
        help_text=_("Пусто — ёмкость волны, заданная у товара."),
    )

    class Meta:
        model = PreorderWave
        fields = ["product", "capacity", "ships_on", "status"]
        widgets = {"ships_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(
            order_type__in=[Product.OrderType.PREORDER, Product.OrderType.WAITING]
        ).order_by("name")
        self.fields["status"].choices = [(v, label) for v, label in WaveStatus.choices if v in WAVE_ADD_STATUSES]
        self.fields["status"].initial = WaveStatus.COLLECTING

    def clean_product(self):
        product = self.cleaned_data["product"]
        if not product.is_preorder:
            raise forms.ValidationError(_("Волны добавляются только к товарам предзаказа."))
        return product

    def _post_clean(self):
        # wave_number and the rest are decided by `wave_add`.
        pass
