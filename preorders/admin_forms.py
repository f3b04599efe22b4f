"""Admin forms for waves: a status moves through `wave_set_status`, capacity through `wave_set_capacity`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from preorders.models import PreorderWave, WaveStatus
from preorders.services import WAVE_STATUS_FLOW


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
        fields = ["capacity", "status"]

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

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        status = cleaned.get("status")
        if status and WAVE_STATUS_FLOW.index(status) < WAVE_STATUS_FLOW.index(self.instance.status):
            self.add_error("status", _("Статус волны меняется только вперёд."))
        capacity = cleaned.get("capacity")
        if capacity is not None and capacity != self.instance.capacity:
            if self.instance.status != "collecting":
                self.add_error("capacity", _("Ёмкость меняется только у волны, которая собирает заказы."))
            elif capacity < max(self.instance.current_count, 1):
                self.add_error(
                    "capacity",
                    _("Не меньше %(n)s: столько уже заказано.") % {"n": max(self.instance.current_count, 1)},
                )
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
