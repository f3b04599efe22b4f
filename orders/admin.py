from django.contrib import admin

from orders.models import Order, OrderItem


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    fields = ["product", "size", "quantity", "price", "is_preorder", "preorder_wave"]
    readonly_fields = fields
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["order_number", "user", "final_amount", "status", "payment_status", "created_at"]
    list_filter = ["status", "payment_status"]
    list_select_related = ["user"]
    search_fields = ["order_number", "user__phone"]
    readonly_fields = ["order_number", "total_amount", "discount_amount", "final_amount", "payment_id"]
    inlines = [OrderItemInline]
