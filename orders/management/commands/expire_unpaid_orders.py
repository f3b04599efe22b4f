"""Reconcile pending payments, run the draws whose entries closed, then cancel orders left unpaid past
ORDER_PAYMENT_TIMEOUT minutes; the scheduler runs it periodically (`--every`)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from config.periodic import run_rounds
from orders.services import draws_run_due, order_expire_unpaid, payments_reconcile


class Command(BaseCommand):
    help = (
        "Read pending payments back from YooKassa (lost notifications, payments never created), then cancel orders "
        "unpaid for longer than ORDER_PAYMENT_TIMEOUT minutes, giving back stock, waves and codes. "
        "With --every N it keeps doing so every N seconds (the scheduler's loop)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds until stopped")
        parser.add_argument("--times", type=int, default=0, help="with --every: stop after this many rounds")

    def handle(self, *args, every: int, times: int, **options):
        run_rounds(self._round, every=every, times=times)

    def _round(self) -> None:
        reconciled = payments_reconcile()
        self.stdout.write(
            f"Reconciled {reconciled.checked} pending payment(s): {reconciled.settled} settled, "
            f"{reconciled.created} created, {reconciled.unavailable} not answered."
        )
        drawn = draws_run_due()
        if drawn:
            self.stdout.write(f"Finished {drawn} draw(s).")
        expired = order_expire_unpaid()
        self.stdout.write(
            f"Expired {expired} unpaid order(s) older than {settings.ORDER_PAYMENT_TIMEOUT} minutes."
        )
