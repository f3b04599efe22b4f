from django.contrib import admin, messages
from django.db.models import F, Prefetch
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from catalog.admin import ProductAdmin
from catalog.models import Product
from config.errors import DomainError
from preorders.admin_forms import WaveAddForm, WaveForm
from preorders.audience import wave_audience_count, wave_audience_text
from preorders.models import PreorderStatus, PreorderWave, WaitlistEntry, WaveStatus
from preorders.services import (
    WAVE_STATUS_FLOW,
    waitlist_notify,
    wave_add,
    wave_set_status,
    wave_update,
)


def wave_fill(wave: PreorderWave) -> str:
    return f"{wave.current_count}/{wave.capacity}"


def _status_confirmation(modeladmin, request, waves: list, status: WaveStatus):
    """The page that names how many customers a status change texts, before it is made («Да, перевести»)."""
    customers = sum(wave_audience_count(wave=wave) for wave in waves)
    if not customers or request.POST.get("confirmed") == "yes":
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": f"Перевести в статус «{status.label}»?",
        "waves": waves,
        "status": status,
        "texted": wave_audience_text(customers),
        "action": request.POST.get("action", ""),
    }
    return TemplateResponse(request, "admin/preorders/preorderwave/status_confirm.html", context)


def _status_action(status: WaveStatus):
    def action(modeladmin, request, queryset):
        waves = list(queryset.select_related("product").order_by("product_id", "wave_number"))
        confirmation = _status_confirmation(modeladmin, request, waves, status)
        if confirmation is not None:
            return confirmation
        moved = 0
        for wave in waves:
            try:
                wave_set_status(wave=wave, status=status)
            except DomainError as error:
                modeladmin.message_user(
                    request, f"{wave.product.name}, волна {wave.wave_number}: {error.message}", messages.ERROR
                )
            else:
                moved += 1
        if moved:
            modeladmin.message_user(
                request,
                f"Волн переведено в статус «{status.label}»: {moved}.",
                messages.SUCCESS,
            )

    action.__name__ = f"wave_set_status_{status.value}"
    return admin.action(description=_("Перевести в статус «%(label)s»") % {"label": status.label})(action)


class PreorderWaveInline(admin.TabularInline):
    """Waves of a preorder product: a status change or a new wave goes through the preorder services."""

    model = PreorderWave
    form = WaveForm
    extra = 0
    fields = [
        "wave_number",
        "capacity",
        "current_count",
        "ships_on",
        "status",
        "status_message",
        "confirm_sms",
        "completed_at",
    ]
    readonly_fields = ["wave_number", "current_count", "completed_at"]
    ordering = ["wave_number"]
    can_delete = False
    verbose_name_plural = _("волны предзаказа (новая строка — новая волна)")


class PreorderProductAdmin(ProductAdmin):
    """The catalog's product screen with what preorders add: the waves inline, their fill, «add a wave»."""

    list_display = [
        *ProductAdmin.list_display[: ProductAdmin.list_display.index("stock_total") + 1],
        "wave_fill",
        *ProductAdmin.list_display[ProductAdmin.list_display.index("stock_total") + 1 :],
    ]
    actions = [*ProductAdmin.actions, "add_wave"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("waves", queryset=PreorderWave.objects.order_by("wave_number")))
        )

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        return [*inlines, PreorderWaveInline] if obj is not None and obj.is_preorder else inlines

    @admin.display(description=_("заполнение волн"))
    def wave_fill(self, product):
        waves = list(product.waves.all())
        current = product.wave_current(waves)
        if not product.is_preorder or current is None:
            return "—"
        return f"{current.current_count}/{current.capacity} · волна {current.wave_number} из {len(waves)}"

    def save_related(self, request, form, formsets, change):
        # Wave edits come last: they are the newest word on the waves.
        for formset in sorted(formsets, key=lambda formset: formset.model is PreorderWave):
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is PreorderWave:
            return self._save_waves(request, form.instance, formset)
        return super().save_formset(request, form, formset, change)

    def _save_waves(self, request, product, formset):
        for wave_form in formset.forms:
            if not wave_form.has_changed():
                continue
            try:
                if wave_form.instance.pk is None:
                    wave = wave_add(product=product, capacity=wave_form.cleaned_data.get("capacity"))
                    self.message_user(request, f"Добавлена волна {wave.wave_number}.", messages.SUCCESS)
                else:
                    wave_update(wave=PreorderWave.objects.get(pk=wave_form.instance.pk), **wave_form.changes())
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

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


admin.site.unregister(Product)
admin.site.register(Product, PreorderProductAdmin)


@admin.register(PreorderWave)
class PreorderWaveAdmin(SimpleHistoryAdmin):
    list_display = ["product", "wave_number", "status", "fill", "ships_on", "completed_at", "updated_at"]
    list_filter = ["status", "product__order_type"]
    list_select_related = ["product"]
    search_fields = ["product__name", "product__article"]
    ordering = ["product_id", "wave_number"]
    actions = [_status_action(status) for status in WAVE_STATUS_FLOW[1:]]
    form = WaveForm
    add_form = WaveAddForm
    readonly_fields = ["product", "wave_number", "current_count", "completed_at", "created_at", "updated_at"]

    @admin.display(description=_("заполнение"), ordering=F("current_count"))
    def fill(self, wave):
        return wave_fill(wave)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["product", "capacity", "ships_on", "status"]
        return [
            "product",
            "wave_number",
            "capacity",
            "current_count",
            "ships_on",
            "status",
            "status_message",
            "confirm_sms",
            "completed_at",
            "created_at",
            "updated_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            if change:
                wave_update(wave=PreorderWave.objects.get(pk=obj.pk), **form.changes())
            else:
                data = form.cleaned_data
                created = wave_add(
                    product=data["product"],
                    capacity=data.get("capacity"),
                    ships_on=data.get("ships_on"),
                    status=data.get("status") or WaveStatus.COLLECTING,
                )
                obj.pk = created.pk
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        if obj.pk:
            obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        # Waves hold order lines; they are never deleted, only completed.
        return False


@admin.register(PreorderStatus)
class PreorderStatusAdmin(admin.ModelAdmin):
    """The preorder timelines. Wave status changes write them; staff may add a note by hand (no SMS)."""

    list_display = ["order", "wave", "status", "status_message", "created_at"]
    list_filter = ["status"]
    list_select_related = ["order", "wave__product"]
    search_fields = ["order__order_number", "wave__product__name", "wave__product__article"]
    autocomplete_fields = ["order", "wave"]
    readonly_fields = ["created_at", "updated_at"]

    def has_change_permission(self, request, obj=None):
        # What a customer was told stays as it was told.
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ["product", "size", "phone", "user", "created_at", "notified_at"]
    list_filter = [("notified_at", admin.EmptyFieldListFilter), "product__order_type"]
    list_select_related = ["product", "user"]
    search_fields = ["phone", "product__name", "product__article"]
    readonly_fields = ["created_at", "notified_at"]
    raw_id_fields = ["user"]
    actions = ["notify"]

    @admin.action(description=_("Сообщить о новой волне (тем, кому ещё не сообщали)"))
    def notify(self, request, queryset):
        products = {entry.product for entry in queryset.select_related("product")}
        told = 0
        for product in products:
            if product.order_type != product.OrderType.PREORDER:
                self.message_user(
                    request, f"«{product.name}»: предзаказ закрыт, сообщать пока не о чем.", messages.WARNING
                )
                continue
            told += waitlist_notify(product=product)
        self.message_user(request, f"Отправлено SMS: {told}.", messages.SUCCESS)
