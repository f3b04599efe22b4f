from django.apps import AppConfig


class DropsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "drops"
    verbose_name = "Старты продаж"

    def ready(self):
        from drops import receivers  # noqa: F401  (connects the answers to the accounts' signals)
