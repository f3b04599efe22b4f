from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.admin_forms import UserAddForm, UserEditForm
from accounts.models import Consent, User
from config.csv_export import csv_cell, csv_response
from config.russian import phone_ru

# The back office is the shop's: API token bookkeeping and task results are engineers' records, read in the
# database, not screens for staff (and they cannot be added by hand).
for _model in (OutstandingToken, BlacklistedToken, DBTaskResult):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    ordering = ["-created_at"]
    list_display = ["phone_shown", "full_name", "email", "orders_count", "is_staff", "is_active", "created_at"]
    list_filter = ["is_staff", "is_active", "is_superuser", "phone_verified"]
    search_fields = ["phone", "full_name", "email"]
    readonly_fields = ["phone_verified", "created_at", "updated_at", "last_login"]
    fieldsets = [
        (None, {"fields": ["phone", "phone_verified", "password"]}),
        (_("Профиль"), {"fields": ["full_name", "email", "address", "cdek_point", "telegram", "vk"]}),
        (_("Права"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Даты"), {"fields": ["last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["phone", "full_name", "password1", "password2"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(orders_total=Count("orders"))

    @admin.display(description=_("телефон"), ordering="phone")
    def phone_shown(self, user):
        return phone_ru(user.phone)

    @admin.display(description=_("заказов"), ordering="orders_total")
    def orders_count(self, user):
        return user.orders_total


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """The record of consents to the processing of personal data: read-only evidence, exportable as CSV."""

    list_display = [
        "created_at",
        "phone",
        "user",
        "source",
        "channel",
        "policy_version",
        "ip_address",
        "withdrawn_at",
    ]
    list_filter = ["source", "channel", "withdrawn_at", "policy_version"]
    search_fields = ["phone", "user__phone", "user__full_name", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    actions = ["export_csv"]
    CSV_FIELDS = [
        "id",
        "created_at",
        "user_id",
        "phone",
        "source",
        "channel",
        "policy_slug",
        "policy_version",
        "policy_sha256",
        "ip_address",
        "user_agent",
        "withdrawn_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Выгрузить выбранные согласия в CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        response, writer = csv_response(filename="consents.csv", header=self.CSV_FIELDS)
        for consent in queryset.order_by("created_at", "id"):
            row = ["" if (value := getattr(consent, name)) is None else value for name in self.CSV_FIELDS]
            row[self.CSV_FIELDS.index("user_agent")] = csv_cell(consent.user_agent)  # the client typed it
            writer.writerow(row)
        return response
