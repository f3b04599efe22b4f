"""The audit trail (django-simple-history): who changed what and when, for what staff and orders change.

Every save of a product, a size's stock, a wave, a promo code or an order writes a historical row with the user
of the request (HistoryRequestMiddleware); the admin's «История» button of each shows them. Counters moved by
conditional UPDATEs while orders are placed are not saves: the orders themselves are the record of those.
The historical tables live in the `config` app, so the domain apps' migrations stay theirs.
"""

from simple_history import register

AUDITED = ("catalog.Product", "catalog.ProductStock", "preorders.PreorderWave", "promos.PromoCode", "orders.Order")


def audit_register() -> None:
    from django.apps import apps

    for label in AUDITED:
        model = apps.get_model(label)
        register(model, app="config", excluded_fields=["updated_at"] if hasattr(model, "updated_at") else None)
