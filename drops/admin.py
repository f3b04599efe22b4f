"""The waiting rooms, read-only: places are the queue's own to give (staff set the product's queue fields)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from drops.models import QueueEntry


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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
