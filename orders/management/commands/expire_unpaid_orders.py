"""Cancel orders left unpaid past ORDER_PAYMENT_TIMEOUT minutes; the worker runs it periodically."""

from django.conf import settings
from django.core.management.base import BaseCommand

from orders.services import order_expire_unpaid


class Command(BaseCommand):
    help = (
        "Cancel orders unpaid for longer than ORDER_PAYMENT_TIMEOUT minutes, giving back stock, waves and codes."
    )

    def handle(self, *args, **options):
        expired = order_expire_unpaid()
        self.stdout.write(
            f"Expired {expired} unpaid order(s) older than {settings.ORDER_PAYMENT_TIMEOUT} minutes."
        )
