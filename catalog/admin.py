from django.contrib import admin, messages
from django.db.models import OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.admin_forms import ProductForm, ProductMediaForm, StockFormSet, StockRowForm
from catalog.models import Product, ProductMedia, ProductStock
from catalog.services import media_renditions_schedule, product_archive, product_set_stock, product_update
from config.errors import DomainError
from preorders import services as preorder_services
from preorders.admin import wave_form_save
from preorders.admin_forms import WaveForm
from preorders.models import PreorderWave
from preorders.services import wave_add

THUMBNAIL = '<img src="{}" alt="" style="width:{}px;height:{}px;object-fit:cover;border-radius:4px">'


def media_preview(media: ProductMedia | None, size: int = 48) -> str:
    """The smallest JPEG rendition once the worker has made it, the upload itself until then."""
    if media is None or not media.image:
        return "—"
    jpegs = media.rendition_urls("jpeg")
    return format_html(THUMBNAIL, jpegs[0]["url"] if jpegs else media.image.url, size, size)


def media_renditions_state(media: ProductMedia) -> str:
    if not media.pk:
        return "—"
    if not media.renditions:
        return "готовятся…"
    widths = sorted({r["width"] for r in media.renditions})
    return "готовы: " + ", ".join(f"{w} px" for w in widths) + " (WebP и JPEG)"


class ProductMediaInline(admin.TabularInline):
    model = ProductMedia
    form = ProductMediaForm
    extra = 0
    fields = ["preview", "image", "alt", "position", "renditions_state"]
    readonly_fields = ["preview", "renditions_state"]
    ordering = ["position", "id"]

    @admin.display(description=_("превью"))
    def preview(self, media):
        return media_preview(media if media.pk else None, size=80)

    @admin.display(description=_("копии для сайта"))
    def renditions_state(self, media):
        return media_renditions_state(media)


class ProductStockInline(admin.TabularInline):
    model = ProductStock
    formset = StockFormSet
    extra = 0
    fields = ["size", "quantity"]


class PreorderWaveInline(admin.TabularInline):
    """Waves of a preorder product: a status change or a new wave goes through the preorder services."""

    model = PreorderWave
    form = WaveForm
    extra = 0
    fields = ["wave_number", "capacity", "current_count", "status", "status_message", "completed_at"]
    readonly_fields = ["wave_number", "current_count", "completed_at"]
    ordering = ["wave_number"]
    can_delete = False
    verbose_name_plural = _("волны предзаказа (новая строка — новая волна)")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = [
        "thumbnail",
        "name",
        "article",
        "price",
        "order_type",
        "stock_total",
        "wave_fill",
        "is_active",
        "is_archived",
    ]
    list_display_links = ["thumbnail", "name"]
    list_filter = ["order_type", "is_active", "is_archived"]
    search_fields = ["name", "article"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    actions = ["archive", "activate", "add_wave"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["name", "slug", "article", "price", "order_type", "is_active", "is_archived"]}),
        (_("Описание"), {"fields": ["description", "care_instructions"]}),
        (_("Размеры"), {"fields": ["sizes", "size_table"]}),
        (
            _("Предзаказ"),
            {
                "fields": ["preorder_waves_total", "preorder_wave_capacity"],
                "description": _(
                    "Для предзаказа: сколько волн и по сколько штук (все размеры вместе). "
                    "Увеличьте число волн у товара в ожидании — предзаказ откроется снова, "
                    "лист ожидания получит SMS."
                ),
            },
        ),
        (_("Даты"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # The stock total is a subquery rather than a join, so it never multiplies with the prefetched waves.
        stock_total = (
            ProductStock.objects.filter(product=OuterRef("pk"))
            .values("product")
            .annotate(total=Sum("quantity"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(stock_total=Coalesce(Subquery(stock_total), 0))
            .prefetch_related(
                Prefetch("media", queryset=ProductMedia.objects.order_by("position", "id")),
                Prefetch("waves", queryset=PreorderWave.objects.order_by("wave_number")),
            )
        )

    def get_inlines(self, request, obj):
        if obj is not None and obj.is_preorder:
            return [ProductMediaInline, ProductStockInline, PreorderWaveInline]
        return [ProductMediaInline, ProductStockInline]

    @admin.display(description=_("фото"))
    def thumbnail(self, product):
        media = list(product.media.all())
        return media_preview(media[0] if media else None)

    @admin.display(description=_("остаток, шт."), ordering="stock_total")
    def stock_total(self, product):
        return product.stock_total

    @admin.display(description=_("заполнение волн"))
    def wave_fill(self, product):
        waves = list(product.waves.all())
        current = product.wave_current(waves)
        if not product.is_preorder or current is None:
            return "—"
        return f"{current.current_count}/{current.capacity} · волна {current.wave_number} из {len(waves)}"

    # --- Saving: inlines of stock and waves go through the services -------------------------------------------
    def save_formset(self, request, form, formset, change):
        if formset.model is PreorderWave:
            return self._save_waves(request, form.instance, formset)
        if formset.model is ProductStock:
            return self._save_stock(request, form.instance, formset)
        super().save_formset(request, form, formset, change)
        if formset.model is ProductMedia:
            for media_form in formset.forms:
                if "image" in media_form.changed_data and media_form.instance.pk:
                    media_renditions_schedule(media=media_form.instance)

    def _save_stock(self, request, product, formset):
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                deleted.instance.delete()
        stock = {
            f.cleaned_data["size"]: f.cleaned_data["quantity"]
            for f in formset.forms
            if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        }
        if stock:
            product_set_stock(product=product, stock=stock)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def _save_waves(self, request, product, formset):
        for wave_form in formset.forms:
            if not wave_form.has_changed():
                continue
            try:
                if wave_form.instance.pk is None:
                    wave = wave_add(product=product, capacity=wave_form.cleaned_data.get("capacity"))
                    self.message_user(request, f"Добавлена волна {wave.wave_number}.", messages.SUCCESS)
                else:
                    wave = PreorderWave.objects.get(pk=wave_form.instance.pk)
                    wave_form_save(wave=wave, form=wave_form)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        waves = [formset for formset in formsets if formset.model is PreorderWave]
        for formset in formsets:
            if formset not in waves:
                self.save_formset(request, form, formset, change=change)
        product = form.instance
        try:
            if "sizes" in form.changed_data:
                # Drops the stock of sizes no longer offered (and syncs the waves of a preorder product).
                product_update(product=product, data={}, stock=None)
            elif product.is_preorder:
                # A wave capacity staff set on one wave stays unless the product's wave capacity changed.
                preorder_services.product_sync_waves(
                    product=product,
                    capacity_changed=not change or "preorder_wave_capacity" in form.changed_data,
                )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        # Wave edits come last: they are the newest word on the waves.
        for formset in waves:
            self.save_formset(request, form, formset, change=change)

    # --- Actions ------------------------------------------------------------------------------------------
    @admin.action(description=_("Убрать в архив"))
    def archive(self, request, queryset):
        for product in queryset:
            product_archive(product=product)
        self.message_user(request, f"Товаров убрано в архив: {len(queryset)}.", messages.SUCCESS)

    @admin.action(description=_("Вернуть в продажу (активен, не в архиве)"))
    def activate(self, request, queryset):
        for product in queryset:
            product_update(product=product, data={"is_active": True, "is_archived": False})
        self.message_user(request, f"Товаров в продаже: {len(queryset)}.", messages.SUCCESS)

    @admin.action(description=_("Добавить волну предзаказа"))
    def add_wave(self, request, queryset):
        for product in queryset:
            try:
                wave = wave_add(product=product)
            except DomainError as error:
                self.message_user(request, f"«{product.name}»: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"«{product.name}»: добавлена волна {wave.wave_number} на {wave.capacity} шт.",
                    messages.SUCCESS,
                )


@admin.register(ProductStock)
class ProductStockAdmin(admin.ModelAdmin):
    list_display = ["product", "size", "quantity"]
    list_select_related = ["product"]
    list_filter = ["product__order_type"]
    search_fields = ["product__name", "product__article", "size"]
    autocomplete_fields = ["product"]
    form = StockRowForm

    def save_model(self, request, obj, form, change):
        if change and "size" in form.changed_data:
            ProductStock.objects.filter(pk=obj.pk).delete()
            obj.pk = None
        product_set_stock(product=obj.product, stock={obj.size: obj.quantity})
        obj.pk = ProductStock.objects.get(product=obj.product, size=obj.size).pk


@admin.register(ProductMedia)
class ProductMediaAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "product", "position", "alt"]
    list_select_related = ["product"]
    search_fields = ["product__name", "product__article"]
    autocomplete_fields = ["product"]
    form = ProductMediaForm
    readonly_fields = ["preview", "renditions_state"]
    fields = ["product", "image", "preview", "renditions_state", "alt", "position"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "image" in form.changed_data:
            media_renditions_schedule(media=obj)

    @admin.display(description=_("фото"))
    def thumbnail(self, media):
        return media_preview(media)

    @admin.display(description=_("превью"))
    def preview(self, media):
        return media_preview(media if media.pk else None, size=160)

    @admin.display(description=_("копии для сайта"))
    def renditions_state(self, media):
        return media_renditions_state(media)
