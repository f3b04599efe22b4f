from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project's own pieces that belong to no domain: the shared cache table, metrics, error pages."""

    name = "config"
    verbose_name = "Магазин"

    def ready(self):
        from config import metrics  # noqa: F401  (registers the shop's collector; the apps add their figures)
        from config.audit import audit_register_declared

        audit_register_declared()
