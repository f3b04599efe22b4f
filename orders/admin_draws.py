"""Draws in the back office: where each stands, the entries, «Провести розыгрыш», the results as CSV, and a
warning when holds would lapse before the draw. Registered from `orders.admin` (the draw's run is an orders
service: it captures holds into orders)."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from config.csv_export import csv_response
from drops.draws import draw_state
from drops.models import Draw, DrawEntry, DrawEntryStatus
from orders.services import draw_close_now, draw_hold_expiring

S = DrawEntryStatus


@admin.register(Draw)
class DrawAdmin(admin.ModelAdmin):
    list_display = ["product", "closes_at", "phase", "entered", "won", "lost", "drawn_at", "finished_at"]
    list_select_related = ["product"]
    search_fields = ["product__name", "product__article"]
    actions = ["run_now", "export_csv"]
    readonly_fields = ["product", "seed_hash", "units", "drawn_at", "finished_at", "created_at"]
    fields = readonly_fields

    def get_queryset(self, request):
        counts = {
            f"n_{status}": Count("entries", filter=Q(entries__status=status))
            for status in (S.ENTERED, S.WON, S.LOST)
        }
        return super().get_queryset(request).annotate(**counts)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("розыгрыш в"), ordering="product__draw_closes_at")
    def closes_at(self, draw):
        return draw.product.draw_closes_at

    @admin.display(description=_("этап"))
    def phase(self, draw):
        return {"upcoming": "скоро", "open": "приём заявок", "closed": "идёт розыгрыш", "done": "проведён"}[
            draw_state(product=draw.product, draw=draw).phase
        ]

    @admin.display(description=_("участвуют"), ordering="n_entered")
    def entered(self, draw):
        return draw.n_entered

    @admin.display(description=_("выиграли"), ordering="n_won")
    def won(self, draw):
        return draw.n_won

    @admin.display(description=_("не выиграли"), ordering="n_lost")
    def lost(self, draw):
        return draw.n_lost

    def changelist_view(self, request, extra_context=None):
        for draw in Draw.objects.filter(finished_at__isnull=True).select_related("product"):
            product = draw.product
            expiring = draw_hold_expiring(product=product)
            if product.draw_holds_lapse or expiring:
                self.message_user(
                    request,
                    f"«{product.name}»: заморозка истечёт раньше розыгрыша"
                    + (f" у {expiring} заявок" if expiring else "")
                    + " (карты держат деньги 7 дней, SberPay — 6 часов). Проведите розыгрыш раньше.",
                    messages.WARNING,
                )
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Провести розыгрыш"))
    def run_now(self, request, queryset):
        for draw in queryset.select_related("product"):
            report = draw_close_now(product=draw.product)
            if report.finished:
                text = (
                    f"«{draw.product.name}»: розыгрыш проведён, выиграли {report.won}, не выиграли {report.lost}."
                )
                self.message_user(request, text, messages.SUCCESS)
            else:
                text = (
                    f"«{draw.product.name}»: розыгрыш идёт и продолжится сам (пауза, ЮKassa или другой процесс)."
                )
                self.message_user(request, text, messages.WARNING)

    @admin.action(description=_("Итоги в CSV"))
    def export_csv(self, request, queryset):
        response, writer = csv_response(
            filename="draw-results.csv",
            header=["товар", "заявка", "телефон", "размер", "место", "статус", "не списалось", "заказ"],
        )
        entries = (
            DrawEntry.objects.filter(draw__in=queryset).select_related("draw__product").order_by("draw", "rank")
        )
        for entry in entries:
            writer.writerow([
                entry.draw.product.article, entry.pk, entry.phone, entry.size,
                "" if entry.rank is None else entry.rank + 1, entry.get_status_display(),
                "да" if entry.passed_on else "", entry.order_number,
            ])  # fmt: skip
        return response
