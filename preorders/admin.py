from django.contrib import admin

from preorders.models import PreorderStatus, PreorderWave, WaitlistEntry


@admin.register(PreorderWave)
class PreorderWaveAdmin(admin.ModelAdmin):
    list_display = ["product", "wave_number", "capacity", "current_count", "status", "completed_at"]
    list_filter = ["status"]
    list_select_related = ["product"]
    search_fields = ["product__name", "product__article"]
    readonly_fields = ["current_count"]


@admin.register(PreorderStatus)
class PreorderStatusAdmin(admin.ModelAdmin):
    list_display = ["order", "wave", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["order", "wave__product"]
    search_fields = ["order__order_number"]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ["product", "phone", "created_at", "notified_at"]
    list_select_related = ["product"]
    search_fields = ["phone", "product__name", "product__article"]
