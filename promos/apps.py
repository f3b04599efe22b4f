from django.apps import AppConfig


class PromosConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "promos"
    verbose_name = "Промокоды"
    audited_models = ("PromoCode",)  # history kept by `config.audit`
