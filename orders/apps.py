from django.apps import AppConfig


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"
    verbose_name = "Заказы"

    def ready(self):
        from orders import receivers  # noqa: F401  (connects the answers to the preorders' signals)
        from orders.selectors import wave_orders_to_tell
        from preorders.audience import wave_audience_register

        wave_audience_register(lambda *, wave: wave_orders_to_tell(wave=wave).count())
