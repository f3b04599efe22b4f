"""The waiting rooms: places are the queue's own to give, so staff only look, or put a customer in line
through the same `queue_join` customers use."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from drops.models import QueueEntry
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
