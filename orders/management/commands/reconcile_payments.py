"""Read every pending payment back from YooKassa once (the scheduler does it in `expire_unpaid_orders`' loop)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from orders.services import payments_reconcile


class Command(BaseCommand):
    help = (
        "Read the payments of pending orders back from YooKassa and apply what it says (a lost notification); "
        "create the payment of an order whose creation failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet-for", type=int, default=120, help="skip orders changed in the last N seconds")

    def handle(self, *args, quiet_for: int, **options):
        report = payments_reconcile(quiet_for=timedelta(seconds=quiet_for))
        self.stdout.write(
            f"Reconciled {report.checked} pending payment(s): {report.settled} settled, {report.created} created, "
            f"{report.unavailable} not answered."
        )
