from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Пользователи"

    def ready(self):
        from accounts import lockout  # noqa: F401  (counts wrong passwords per address)


class ShopAdminConfig(admin_apps.AdminConfig):
    """Django's admin on `ShopAdminSite`: a staff session does not open it while the staff phone is locked."""

    default = False  # named in INSTALLED_APPS in place of `django.contrib.admin`, never picked for `accounts`
    default_site = "accounts.admin_site.ShopAdminSite"
