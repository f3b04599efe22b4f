"""Admin forms for waves: the rules are `wave_change_check`'s; the change is made by `wave_update`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from preorders.errors import WaveChangeRefused, WaveTransitionRefused
from preorders.models import PreorderWave, WaveStatus
from preorders.services import WAVE_STATUS_FLOW, wave_change_check


class WaveForm(forms.ModelForm):
    """A wave's capacity and status, plus what to tell its customers when the status changes."""

    status_message = forms.CharField(
        label=_("Сообщение покупателям"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": "Стандартный текст для статуса"}),
        help_text=_("Уйдёт в SMS и историю заказа при смене статуса. Пусто — стандартный текст."),
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
        return cleaned

    def _post_clean(self):
        # The model's own checks run on the new values only where the services will write them.
        pass


class WaveAddForm(forms.ModelForm):
    """Adding a wave from the wave list: the product and, when it differs from the product's, the capacity."""

    capacity = forms.IntegerField(
        label=_("ёмкость, шт."),
        required=False,
        min_value=1,
        help_text=_("Пусто — ёмкость волны, заданная у товара."),
    )

    class Meta:
        model = PreorderWave
        fields = ["product", "capacity"]

    def clean_product(self):
        product = self.cleaned_data["product"]
        if not product.is_preorder:
            raise forms.ValidationError(_("Волны добавляются только к товарам предзаказа."))
        return product

    def _post_clean(self):
        # wave_number and the rest are decided by `wave_add`.
        pass
