from django.apps import AppConfig


class DropsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "drops"
    verbose_name = "Старты продаж"
