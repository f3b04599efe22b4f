from django.apps import AppConfig


class PreordersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "preorders"
    verbose_name = "Предзаказы"

    def ready(self):
        from preorders import receivers  # noqa: F401  (connects the answers to the catalog's signals)
