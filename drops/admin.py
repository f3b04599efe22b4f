"""The waiting rooms: places are the queue's own to give, so staff only look, or put a customer in line
through the same `queue_join` customers use."""

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from drops.models import DrawEntry, Drop, QueueEntry
from drops.pausing import sale_pause, sale_resume
from drops.services import queue_join


@admin.register(QueueEntry)
class QueueEntryAdmin(admin.ModelAdmin):
    list_display = ["product", "user", "place", "admit_at", "ip", "created_at"]
    list_filter = [("slot", admin.EmptyFieldListFilter)]
    list_select_related = ["product", "user"]
    search_fields = ["user__phone", "product__name", "product__article", "ip"]
    ordering = ["product_id", "slot"]

    @admin.display(description=_("место"), ordering="slot")
    def place(self, entry):
        return "разыграем на старте" if entry.slot is None else entry.slot + 1

    raw_id_fields = ["product", "user"]

    def get_fields(self, request, obj=None):
        return ["product", "user"] if obj is None else ["product", "user", "slot", "admit_at", "ip", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            queue_join(product=obj.product, user=obj.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        entry = QueueEntry.objects.filter(product=obj.product, user=obj.user).first()
        if entry is not None:
            obj.pk = entry.pk


@admin.register(Drop)
class DropAdmin(admin.ModelAdmin):
    """Drops at a glance: the sale's start, the queue, the pause button; products themselves are edited in the
    catalog."""

    list_display = ["name", "article", "sale_starts_at", "sale_mode", "paused", "pause_button", "control_room"]
    list_filter = ["sale_paused", "queue_enabled"]
    search_fields = ["name", "article"]
    actions = ["pause", "resume"]
    fields = ["name", "article", "sale_starts_at", "queue_enabled", "queue_rate", "sale_paused", "sale_paused_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(Q(sale_starts_at__isnull=False) | Q(sale_paused=True) | Q(sale_mode=Drop.SaleMode.DRAW))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("продажа"), boolean=False, ordering="sale_paused")
    def paused(self, drop):
        return "приостановлена" if drop.sale_paused else "идёт"

    @admin.display(description="")
    def pause_button(self, drop):
        # A link to the product's page in the admin, whose object tools hold the one-click pause form.
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:catalog_product_change", args=[drop.pk]),
            "Возобновить…" if drop.sale_paused else "Приостановить…",
        )

    @admin.display(description=_("пульт"))
    def control_room(self, drop):
        return format_html(
            '<a href="{}">{}</a>', reverse("analytics:control_room", args=[drop.pk]), "Открыть пульт"
        )

    @admin.action(description=_("Приостановить продажу"))
    def pause(self, request, queryset):
        paused = sum(sale_pause(product_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Приостановлено: {paused}.", messages.WARNING)

    @admin.action(description=_("Возобновить продажу"))
    def resume(self, request, queryset):
        resumed = sum(sale_resume(product_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Возобновлено: {resumed}.", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/pause/",
                self.admin_site.admin_view(self.pause_view),
                name="drops_drop_pause",
            ),
            *super().get_urls(),
        ]

    def pause_view(self, request, object_id):
        """One click: the form posts `pause` or `resume` and comes back to the page it was on."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        drop = get_object_or_404(Drop, pk=object_id)
        if not self.has_change_permission(request, drop):
            return HttpResponseRedirect(reverse("admin:index"))
        if request.POST.get("action") == "resume":
            if sale_resume(product_id=drop.pk):
                self.message_user(request, f"Продажа «{drop.name}» возобновлена.", messages.SUCCESS)
        elif sale_pause(product_id=drop.pk):
            self.message_user(request, f"Продажа «{drop.name}» приостановлена.", messages.WARNING)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:catalog_product_change", args=[drop.pk])
        return HttpResponseRedirect(back)


@admin.register(DrawEntry)
class DrawEntryAdmin(admin.ModelAdmin):
    """Entries are the buyers' own (and their holds YooKassa's): staff look, filter and export."""

    list_display = ["draw", "phone", "size", "status", "rank", "passed_on", "order_number", "hold_expires_at"]
    list_filter = ["status", "passed_on", "size"]
    list_select_related = ["draw__product"]
    search_fields = ["phone", "order_number", "draw__product__name"]
    readonly_fields = [f.name for f in DrawEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
