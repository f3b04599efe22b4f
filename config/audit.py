"""The audit trail (django-simple-history): who changed what and when, for what staff and orders change.

Every save of a product, a size's stock, a wave, a promo code or an order writes a historical row with the user
of the request (HistoryRequestMiddleware); the admin's «История» button of each shows them. Counters moved by
conditional UPDATEs while orders are placed are not saves: the orders themselves are the record of those.
Staff writes that set values with a queryset UPDATE (stock per size) are recorded by `audit_record_rows`.
The historical tables live in the `config` app, so the domain apps' migrations stay theirs. Each app names
its audited models in its AppConfig's `audited_models`.
"""

from django.utils import timezone
from simple_history import register
from simple_history.models import HistoricalRecords


def audit_register(model) -> None:
    """Keep the history of every save of `model`, in a historical table of the `config` app."""
    register(model, app="config", excluded_fields=["updated_at"] if hasattr(model, "updated_at") else None)


def audit_register_declared() -> None:
    """Register the models each app names in its AppConfig's `audited_models`; `config` names no app itself.

    Called from `config`'s ready(), which runs first: every model is loaded by then, and the history models exist
    before the admin's modules build any query.
    """
    from django.apps import apps

    for app_config in apps.get_app_configs():
        for name in getattr(app_config, "audited_models", ()):
            audit_register(app_config.get_model(name))


def audit_record_rows(rows) -> int:
    """Record the present state of rows that a queryset UPDATE changed behind the history's back.

    A row whose latest historical row already says the same is skipped, so calling this twice records nothing
    new. The author is the user of the current request, as for ordinary saves. Returns how many were recorded.
    """
    recorded = 0
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    user = user if user is not None and user.is_authenticated else None
    for row in rows:
        fields = {field.attname: getattr(row, field.attname) for field in row.history.model.tracked_fields}
        latest = row.history.order_by("-history_date", "-history_id").first()
        if latest is not None and all(getattr(latest, name) == value for name, value in fields.items()):
            continue
        row.history.model.objects.create(
            **fields, history_date=timezone.now(), history_type="~" if latest else "+", history_user=user
        )
        recorded += 1
    return recorded
