from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Пользователи"

    def ready(self):
        from accounts import lockout  # noqa: F401  (counts wrong passwords per address)
        from accounts.metrics import sms_metrics_collect, sms_metrics_describe
        from config.metrics import metrics_register

        metrics_register(describe=sms_metrics_describe, collect=sms_metrics_collect)


class ShopAdminConfig(admin_apps.AdminConfig):
    """Django's admin on `ShopAdminSite`: a staff session does not open it while the staff phone is locked."""

    default = False  # named in INSTALLED_APPS in place of `django.contrib.admin`, never picked for `accounts`
    default_site = "accounts.admin_site.ShopAdminSite"
