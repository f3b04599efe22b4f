"""`manage.py reconcile_shipments [--every N]`: read every parcel still moving back from CDEK, in case a
webhook was lost (`make run` keeps it running; production runs it from its scheduler)."""

from django.core.management.base import BaseCommand

from config.periodic import run_rounds
from fulfilment.services import shipments_reconcile


class Command(BaseCommand):
    help = "Read shipments that are still moving back from CDEK and act on what changed (lost webhooks)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds until stopped")
        parser.add_argument("--times", type=int, default=0, help="with --every: stop after this many rounds")

    def handle(self, *args, every: int, times: int, **options):
        run_rounds(self._round, every=every, times=times)

    def _round(self) -> None:
        result = shipments_reconcile()
        self.stdout.write(
            f"Reconciled {result.checked} shipment(s): {result.changed} changed, {result.unavailable} not answered."
        )
