from django.apps import AppConfig


class ShopConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shop"
    verbose_name = "Витрина"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from shop.signals import cart_join_on_login

        user_logged_in.connect(cart_join_on_login, dispatch_uid="shop.cart_join_on_login")

        from pages.models import Page
        from shop.page_cache import page_cache_follow_pages

        page_cache_follow_pages(Page)
