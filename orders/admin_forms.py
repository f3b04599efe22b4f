"""Admin forms for orders: what staff type; every change is made by orders.services."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from catalog.errors import ProductRejected
from catalog.models import Product
from catalog.services import product_sizes_check
from orders.models import ALLOWED_TRANSITIONS, Order, OrderItem, OrderStatus

NO_CHANGE = ""

# Refunds go through YooKassa (the refund action), never by setting the status by hand.
STATUSES_SET_BY_HAND = [status for status in OrderStatus.values if status != OrderStatus.REFUNDED]


class OrderForm(forms.ModelForm):
    """An order's delivery details, its tracking number and a move to a status its current one allows."""

    new_status = forms.ChoiceField(
        label=_("Перевести в статус"),
        required=False,
        help_text=_("Только разрешённые переходы. Для отправки с трек-номером заполните поле трек-номера."),
    )

    class Meta:
        model = Order
        fields = ["tracking_number", "delivery_address", "cdek_point"]
        help_texts = {"tracking_number": _("Сохранение трек-номера отмечает заказ отправленным и отправляет SMS.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_TRANSITIONS.get(self.instance.status, frozenset()) if self.instance.pk else frozenset()
        self.fields["new_status"].choices = [(NO_CHANGE, _("— не менять —"))] + [
            (value, label)
            for value, label in OrderStatus.choices
            if value in allowed and value in STATUSES_SET_BY_HAND
        ]

    def clean_tracking_number(self):
        return (self.cleaned_data.get("tracking_number") or "").strip()


class OrderAddForm(forms.ModelForm):
    """An order placed by staff for a customer (a phone order): one line, placed by `order_place`."""

    # Searched as staff type (phone, name; product name, article) instead of a list of every row.
    user = forms.ModelChoiceField(
        label=_("Покупатель"),
        queryset=get_user_model().objects.all(),
        widget=AutocompleteSelect(Order._meta.get_field("user"), admin.site),
    )
    product = forms.ModelChoiceField(
        label=_("Товар"),
        queryset=Product.objects.visible(),
        widget=AutocompleteSelect(OrderItem._meta.get_field("product"), admin.site),
    )
    size = forms.CharField(label=_("Размер"), max_length=32, help_text=_("Для товара без размеров: ONE SIZE."))
    quantity = forms.IntegerField(label=_("Количество"), min_value=1, initial=1)
    promo_code = forms.CharField(label=_("Промокод"), max_length=64, required=False)

    class Meta:
        model = Order
        fields = ["delivery_address", "cdek_point"]

    def clean(self):
        cleaned = super().clean()
        product, size = cleaned.get("product"), (cleaned.get("size") or "").strip()
        if product is not None and size:
            try:
                product_sizes_check(product=product, sizes=[size])
            except ProductRejected as error:
                self.add_error("size", error.message)
        cleaned["size"] = size
        return cleaned

    def _post_clean(self):
        # The order row is built by `order_place`, not from this form.
        pass


class RefundForm(forms.Form):
    """What staff want back: units per line (0 … bought) or the whole order; the confirmation step carries the
    same choice back with its one-time token."""

    full = forms.BooleanField(required=False)
    confirm = forms.BooleanField(required=False)
    refund_token = forms.CharField(required=False, max_length=64)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"quantity_{item.pk}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=999999,
                error_messages={"invalid": f"Количество для «{item.product.name}» — целое число от 0."},
            )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.chosen() and not cleaned.get("full"):
            raise forms.ValidationError("Укажите, сколько единиц вернуть, или отметьте «Весь заказ».")
        return cleaned

    def chosen(self) -> list[tuple[int, int]]:
        """(order item id, units) of every line with units to return."""
        data = getattr(self, "cleaned_data", {})
        return [(item.pk, data[f"quantity_{item.pk}"]) for item in self.items if data.get(f"quantity_{item.pk}")]

    def rows(self) -> list:
        chosen = dict(self.chosen())
        return [(item, chosen.get(item.pk, 0)) for item in self.items]
