from django.apps import AppConfig


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    verbose_name = "Каталог"
    audited_models = ("Product", "ProductStock")  # history kept by `config.audit`

    def ready(self):
        from django.conf import settings
        from PIL import Image

        from catalog.caching import catalog_cache_follow

        # Every image any process opens (the upload's check, the worker's renditions) is bounded the same way:
        # Pillow refuses a picture of more than twice the limit before decoding it (the upload check refuses
        # anything over the limit itself, with a clear message).
        Image.MAX_IMAGE_PIXELS = settings.MEDIA_MAX_PIXELS
        from catalog.models import Product, ProductMedia, ProductStock

        for model in (Product, ProductStock, ProductMedia):
            catalog_cache_follow(model)
