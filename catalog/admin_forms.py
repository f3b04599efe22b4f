"""Admin forms for products: the product's own rules come from catalog.services, never restated here."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from catalog.admin_widgets import SizeListField, SizeTableField
from catalog.errors import ProductRejected
from catalog.images import ImageRejected
from catalog.models import Product, ProductMedia, ProductStock
from catalog.services import PRODUCT_FIELDS, media_image_clean, product_check, product_sizes_check


class ProductForm(forms.ModelForm):
    sizes = SizeListField(label=_("Размеры"), required=False)
    size_table = SizeTableField(label=_("Таблица размеров"), required=False)

    class Meta:
        model = Product
        # The fields staff write are the services' one list; the parcel box is the back office's alone.
        fields = [*PRODUCT_FIELDS, "box_cm"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "queue_rate" in self.fields:
            self.fields["queue_rate"].required = False
        if "sale_mode" in self.fields:
            self.fields["sale_mode"].required = False

    def clean_sale_mode(self):
        # Left out (older forms, scripts): first come, the shop's usual way of selling.
        return self.cleaned_data.get("sale_mode") or Product.SaleMode.FIRST_COME

    def clean_queue_rate(self):
        # Left empty: the shop's default rate (it only matters once the queue is switched on).
        rate = self.cleaned_data.get("queue_rate")
        return rate if rate is not None else Product._meta.get_field("queue_rate").default

    def _post_clean(self):
        super()._post_clean()
        try:
            # The same check product_create/product_update make (waves for a preorder, sizes not repeated).
            product_check(self.instance)
        except ProductRejected as error:
            field = {"preorder_waves_required": "preorder_waves_total", "draw_closes_required": "draw_closes_at",
                     "draw_window_invalid": "draw_closes_at"}.get(error.code, "sizes")  # fmt: skip
            self.add_error(field if field in self.fields else None, error.message)


class StockFormSet(forms.BaseInlineFormSet):
    """Stock rows of the sizes the product offers, one row a size."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            size = form.cleaned_data.get("size")
            if size is None:
                continue
            try:
                product_sizes_check(product=self.instance, sizes=[size])
            except ProductRejected as error:
                form.add_error("size", error.message)
                continue
            if size in seen:
                form.add_error("size", _("Размер «%(size)s» указан дважды.") % {"size": size})
            seen.add(size)


class StockRowForm(forms.ModelForm):
    """One stock row edited on its own: a size the product offers."""

    class Meta:
        model = ProductStock
        fields = ["product", "size", "quantity"]

    def clean(self):
        cleaned = super().clean()
        product, size = cleaned.get("product"), cleaned.get("size")
        if product is not None and size:
            try:
                product_sizes_check(product=product, sizes=[size])
            except ProductRejected as error:
                self.add_error("size", error.message)
        return cleaned


class ProductMediaForm(forms.ModelForm):
    """A gallery photo: the upload is checked by decoding it and cleaned (upright, no metadata) before storing."""

    # A plain file field: Django's ImageField would decode the upload itself and hide why a file is refused.
    image = forms.FileField(
        label=_("изображение"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG или WebP. Уменьшенные копии для сайта появятся через несколько секунд."),
    )

    class Meta:
        model = ProductMedia
        fields = ["image", "alt", "position"]

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if not isinstance(upload, UploadedFile):
            return upload
        try:
            content, clean = media_image_clean(upload=upload)
        except ImageRejected as error:
            raise forms.ValidationError(error.message, code=error.code) from error
        self.instance.width, self.instance.height = clean.width, clean.height
        self.instance.renditions = []
        return content
