from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from config.admin_display import money_cell
from config.csv_export import csv_response
from config.errors import DomainError
from config.russian import datetime_ru
from promos.admin_forms import PromoCodeForm, PromoGenerateForm
from promos.models import PromoCode
from promos.services import promo_code_create, promo_code_update, promo_generate


class ValidityFilter(admin.SimpleListFilter):
    title = _("срок действия")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("current", _("действует сейчас")), ("future", _("ещё не начался")), ("expired", _("истёк"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "current":
            return queryset.exclude(valid_from__gt=now).exclude(valid_until__lte=now)
        if self.value() == "future":
            return queryset.filter(valid_from__gt=now)
        if self.value() == "expired":
            return queryset.filter(valid_until__lte=now)
        return queryset


CSV_HEADERS = ["Код", "Скидка", "Лимит использований", "Использований", "Действует до", "Активен"]


def promo_codes_csv(codes, *, filename: str) -> HttpResponse:
    """Codes as a CSV file for Excel (`;`, UTF-8 with BOM), one code a row."""
    response, writer = csv_response(filename=filename, header=CSV_HEADERS)
    for promo in codes:
        discount = (
            f"{promo.discount_percent} %"
            if promo.discount_percent
            else f"{promo.discount_amount:.2f} ₽".replace(".", ",")
        )
        until = timezone.localtime(promo.valid_until).strftime("%d.%m.%Y %H:%M") if promo.valid_until else ""
        limit = "" if promo.max_uses is None else promo.max_uses
        # A code staff typed never reads as a formula in Excel (as in the orders' export).
        code = f"'{promo.code}" if promo.code.startswith(("=", "+", "-", "@", "\t", "\r")) else promo.code
        writer.writerow([code, discount, limit, promo.current_uses, until, "да" if promo.is_active else "нет"])
    return response


@admin.register(PromoCode)
class PromoCodeAdmin(SimpleHistoryAdmin):
    form = PromoCodeForm
    list_display = ["code", "description", "discount", "uses", "validity", "is_active", "created_at"]
    list_filter = ["is_active", ValidityFilter]
    search_fields = ["code", "description"]
    readonly_fields = ["current_uses", "created_at", "updated_at"]
    filter_horizontal = ["products"]
    actions = ["generate", "export_csv"]
    fieldsets = [
        (None, {"fields": ["code", "description", "is_active"]}),
        (_("Скидка"), {"fields": ["discount_percent", "discount_amount"], "description": _("Что-то одно.")}),
        (
            _("Ограничения"),
            {
                "fields": [
                    "max_uses",
                    "current_uses",
                    "max_uses_per_customer",
                    "first_order_only",
                    "valid_from",
                    "valid_until",
                    "products",
                ]
            },
        ),
        (_("Даты"), {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        # The code, its terms and its products are written by the promo services (which check them again).
        data = {field: form.cleaned_data[field] for field in form.Meta.fields if field in form.cleaned_data}
        promo = promo_code_update(promo=obj, data=data) if change else promo_code_create(data=data)
        obj.pk = promo.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # The products were set by the service in save_model; there are no inlines.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description=_("скидка"))
    def discount(self, promo):
        if promo.discount_percent is not None:
            return f"{promo.discount_percent}\u00a0%"
        return money_cell(promo.discount_amount)

    @admin.display(description=_("использований"), ordering="current_uses")
    def uses(self, promo):
        return f"{promo.current_uses} / {'∞' if promo.max_uses is None else promo.max_uses}"

    @admin.display(description=_("действует"))
    def validity(self, promo):
        start = datetime_ru(promo.valid_from) if promo.valid_from else None
        end = datetime_ru(promo.valid_until) if promo.valid_until else None
        if start and end:
            return f"с {start} до {end}"
        if start:
            return f"с {start}"
        if end:
            return f"до {end}"
        return "бессрочно"

    @admin.action(description=_("Выгрузить выбранные коды в CSV"))
    def export_csv(self, request, queryset):
        return promo_codes_csv(queryset.order_by("code"), filename="promo-codes.csv")

    @admin.action(description=_("Сгенерировать коды по образцу выбранного"))
    def generate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Выберите один промокод — образец для новых кодов.", messages.ERROR)
            return None
        template = queryset.get()
        form = PromoGenerateForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                codes = promo_generate(
                    template=template,
                    prefix=form.cleaned_data["prefix"],
                    count=form.cleaned_data["count"],
                    single_use=form.cleaned_data["single_use"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                # The codes leave as a file at once: staff hand them out from it.
                return promo_codes_csv(codes, filename=f"promo-codes-{template.code}-{len(codes)}.csv")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Новые коды по образцу {template.code}",
            "opts": self.model._meta,
            "template_code": template,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": [template.pk],
        }
        return TemplateResponse(request, "admin/promos/promocode/generate.html", context)
