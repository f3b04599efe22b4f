from django.contrib import admin, messages
from django.db.models import OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from catalog.admin_forms import ProductForm, ProductMediaForm, StockFormSet, StockRowForm
from catalog.models import Product, ProductMedia, ProductStock
from catalog.services import (
    media_renditions_schedule,
    product_archive,
    product_create,
    product_set_stock,
    product_update,
)
from config.admin_display import money_cell
from config.audit import audit_record_rows

# Sized by attributes and styled by catalog/admin.css: the content security policy allows no inline style.
THUMBNAIL = '<img src="{}" alt="" width="{}" height="{}" class="dwc-thumb">'
ADMIN_CSS = {"all": ["catalog/admin.css"]}


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

    class Media:
        css = ADMIN_CSS

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


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    class Media:
        css = ADMIN_CSS
        js = ["backoffice/product_form.js"]

    form = ProductForm
    list_display = [
        "thumbnail",
        "name",
        "article",
        "price_money",
        "order_type",
        "stock_total",
        "is_active",
        "is_archived",
    ]
    list_display_links = ["thumbnail", "name"]
    list_filter = ["order_type", "is_active", "is_archived"]
    search_fields = ["name", "article"]
    prepopulated_fields = {"slug": ["name"]}
    # Adds the one-click pause of the sale (the drops app's view) to the object tools.
    change_form_template = "admin/catalog/product/change_form.html"
    readonly_fields = ["created_at", "updated_at"]
    actions = ["archive", "activate"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["name", "slug", "article", "price", "order_type", "is_active", "is_archived"]}),
        (_("Доставка"), {"fields": ["weight_grams", "box_cm"]}),
        (_("Описание"), {"fields": ["description", "care_instructions"]}),
        (_("Размеры"), {"fields": ["sizes", "size_table"]}),
        (
            _("Предзаказ"),
            {
                "classes": ["dwc-preorder-only"],
                "fields": ["preorder_waves_total", "preorder_wave_capacity"],
                "description": _(
                    "Для предзаказа: сколько волн и по сколько штук (все размеры вместе). "
                    "Увеличьте число волн у товара в ожидании — предзаказ откроется снова, "
                    "лист ожидания получит SMS."
                ),
            },
        ),
        (
            _("Старт продаж"),
            {
                "fields": ["sale_starts_at", "max_per_customer", "payment_timeout", "queue_enabled", "queue_rate"],
                "description": _(
                    "Дроп: до старта товар виден с обратным отсчётом, заказы не принимаются. Очередь открывается "
                    "заранее и пускает покупателей в случайном порядке по «пускать в минуту»."
                ),
            },
        ),
        (
            _("Розыгрыш"),
            {
                "fields": ["sale_mode", "draw_opens_at", "draw_closes_at"],
                "description": _(
                    "Розыгрыш вместо «кто первый»: подтверждённые покупатели оставляют заявку с замороженной "
                    "оплатой, в «розыгрыш в» проводится жеребьёвка, победители получают оплаченные заказы. "
                    "Карты держат деньги 7 дней, SberPay — 6 часов: розыгрыш должен пройти раньше."
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
            )
        )

    def get_fieldsets(self, request, obj=None):
        # A product being added has no dates yet.
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else [fs for fs in fieldsets if fs[0] != _("Даты")]

    def get_inlines(self, request, obj):
        # A preorder counts waves, not stock: its page has no stock rows to fill.
        if obj is not None and obj.is_preorder:
            return [ProductMediaInline]
        return [ProductMediaInline, ProductStockInline]

    @admin.display(description=_("фото"))
    def thumbnail(self, product):
        media = list(product.media.all())
        return media_preview(media[0] if media else None)

    @admin.display(description=_("цена"), ordering="price")
    def price_money(self, product):
        return money_cell(product.price)

    @admin.display(description=_("остаток, шт."), ordering="stock_total")
    def stock_total(self, product):
        return product.stock_total

    # --- Saving: the product, its stock and its waves each go through their service ----------------------------
    def save_model(self, request, obj, form, change):
        # One service call writes the product and what follows from it (stock of dropped sizes, preorder waves).
        data = {field: form.cleaned_data[field] for field in form.Meta.fields if field in form.cleaned_data}
        if change:
            product_update(product=Product.objects.get(pk=obj.pk), data=data)
        else:
            obj.pk = product_create(data=data).pk
        obj.refresh_from_db()
        if obj.draw_holds_lapse:
            self.message_user(
                request,
                "Розыгрыш пройдёт позже чем через 7 дней после открытия приёма заявок: заморозка на картах "
                "к тому времени истечёт (SberPay держит деньги 6 часов). Сократите срок приёма заявок.",
                messages.WARNING,
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is ProductStock:
            return self._save_stock(request, form.instance, formset)
        super().save_formset(request, form, formset, change)
        if formset.model is ProductMedia:
            for media_form in formset.forms:
                if "image" in media_form.changed_data and media_form.instance.pk:
                    media_renditions_schedule(media=media_form.instance)

    def _save_stock(self, request, product, formset):
        removed = [deleted.instance.size for deleted in formset.deleted_forms if deleted.instance.pk]
        stock = {
            f.cleaned_data["size"]: f.cleaned_data["quantity"]
            for f in formset.forms
            if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        }
        if stock or removed:
            product_set_stock(product=product, stock=stock, remove=removed)
            audit_record_rows(product.stock.all())
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

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


@admin.register(ProductStock)
class ProductStockAdmin(SimpleHistoryAdmin):
    list_display = ["product", "size", "quantity"]
    list_select_related = ["product"]
    list_filter = ["product__order_type"]
    search_fields = ["product__name", "product__article", "size"]
    autocomplete_fields = ["product"]
    form = StockRowForm

    def save_model(self, request, obj, form, change):
        # A row given another size replaces the old size's row (of the product the row had).
        old = ProductStock.objects.select_related("product").get(pk=obj.pk) if change else None
        if old is not None and "size" in form.changed_data and old.product_id != obj.product_id:
            product_set_stock(product=old.product, stock={}, remove=[old.size])
        replaced = [old.size] if old is not None and "size" in form.changed_data else []
        product_set_stock(product=obj.product, stock={obj.size: obj.quantity}, remove=replaced)
        audit_record_rows(obj.product.stock.all())
        obj.pk = ProductStock.objects.get(product=obj.product, size=obj.size).pk


@admin.register(ProductMedia)
class ProductMediaAdmin(admin.ModelAdmin):
    class Media:
        css = ADMIN_CSS

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
