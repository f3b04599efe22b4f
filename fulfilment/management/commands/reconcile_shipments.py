"""`manage.py reconcile_shipments [--every N]`: read every parcel still moving back from CDEK, in case a
webhook was lost, and start again bulk hand-overs that stopped moving (`make run` keeps it running; production
runs it from its scheduler)."""

from config.periodic import PeriodicCommand
from fulfilment.services import shipments_reconcile
from fulfilment.tasks import shipment_batches_resume


class Command(PeriodicCommand):
    help = (
        "Read shipments that are still moving back from CDEK and act on what changed (lost webhooks); start "
        "again bulk hand-overs that stopped moving."
    )

    def round(self) -> None:
        result = shipments_reconcile()
        self.stdout.write(
            f"Reconciled {result.checked} shipment(s): {result.changed} changed, {result.unavailable} not answered."
        )
        resumed = shipment_batches_resume()
        if resumed:
            self.stdout.write(f"Started again {resumed} bulk hand-over(s) that stopped moving.")
