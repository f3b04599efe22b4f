from django.apps import AppConfig


class PreordersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "preorders"
    verbose_name = "Предзаказы"
    audited_models = ("PreorderWave",)  # history kept by `config.audit`

    def ready(self):
        from catalog.caching import catalog_cache_follow
        from preorders import receivers  # noqa: F401  (connects the answers to the catalog's signals)
        from preorders.models import PreorderWave

        catalog_cache_follow(PreorderWave)  # a wave's count, capacity and status show on its product
