from django.apps import AppConfig


class PreordersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "preorders"
    verbose_name = "Предзаказы"
