from django.contrib import admin

from catalog.models import Product, ProductMedia, ProductStock
from preorders.models import PreorderWave


class ProductMediaInline(admin.TabularInline):
    model = ProductMedia
    extra = 0
    fields = ["image", "alt", "position"]


class ProductStockInline(admin.TabularInline):
    model = ProductStock
    extra = 0
    fields = ["size", "quantity"]


class PreorderWaveInline(admin.TabularInline):
    model = PreorderWave
    extra = 0
    fields = ["wave_number", "capacity", "current_count", "status", "completed_at"]
    readonly_fields = ["current_count", "completed_at"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "article", "price", "order_type", "is_active", "is_archived", "created_at"]
    list_filter = ["order_type", "is_active", "is_archived"]
    search_fields = ["name", "article"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProductMediaInline, ProductStockInline, PreorderWaveInline]


@admin.register(ProductStock)
class ProductStockAdmin(admin.ModelAdmin):
    list_display = ["product", "size", "quantity"]
    list_select_related = ["product"]
    search_fields = ["product__name", "product__article", "size"]


@admin.register(ProductMedia)
class ProductMediaAdmin(admin.ModelAdmin):
    list_display = ["product", "position", "alt"]
    list_select_related = ["product"]
    search_fields = ["product__name", "product__article"]
