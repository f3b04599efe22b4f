from django.apps import AppConfig


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    verbose_name = "Каталог"

    def ready(self):
        from catalog.caching import catalog_cache_follow
        from catalog.models import Product, ProductMedia, ProductStock

        for model in (Product, ProductStock, ProductMedia):
            catalog_cache_follow(model)
