from django.apps import AppConfig


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"
    verbose_name = "Заказы"
    audited_models = ("Order",)  # history kept by `config.audit`

    def ready(self):
        from config.metrics import metrics_register
        from orders import receivers  # noqa: F401  (connects the answers to the preorders' signals)
        from orders.metrics import orders_metrics_collect, orders_metrics_describe
        from orders.selectors import wave_orders_to_tell
        from preorders.audience import wave_audience_register

        wave_audience_register(lambda *, wave: wave_orders_to_tell(wave=wave).count())
        metrics_register(describe=orders_metrics_describe, collect=orders_metrics_collect)
