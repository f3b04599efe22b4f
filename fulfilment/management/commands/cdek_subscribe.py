"""`manage.py cdek_subscribe`: subscribe the shop to CDEK's ORDER_STATUS webhooks (`make run` does it at start-up;
production runs it once per deploy or address change)."""

import time

from django.core.management.base import BaseCommand, CommandError

from delivery.cdek import CdekError
from fulfilment.services import webhook_subscribe, webhook_url


class Command(BaseCommand):
    help = "Subscribe CDEK_WEBHOOK_URL (or SITE_URL's webhook address) to CDEK's ORDER_STATUS webhooks."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="the address CDEK posts to (default: the shop's own)")
        parser.add_argument("--wait", type=float, default=0, help="keep trying this many seconds (CDEK starting)")

    def handle(self, *args, url: str, wait: float, **options):
        url = url or webhook_url()
        deadline = time.monotonic() + wait
        while True:
            try:
                uuid, new = webhook_subscribe(url=url)
                break
            except CdekError as error:
                if time.monotonic() >= deadline:
                    raise CommandError(f"CDEK did not take the subscription: {error}") from error
                time.sleep(0.5)
        self.stdout.write(f"{'Subscribed' if new else 'Already subscribed'}: ORDER_STATUS → {url} ({uuid}).")
