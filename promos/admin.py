from django.contrib import admin

from promos.models import PromoCode


@admin.register(PromoCode)
class PromoCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "discount_percent", "discount_amount", "current_uses", "max_uses", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "description"]
    readonly_fields = ["current_uses"]
    filter_horizontal = ["products"]
