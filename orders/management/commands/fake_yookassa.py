"""`manage.py fake_yookassa --port 8010`: the local fake YooKassa for the offline demo (`make run` starts it)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from orders.fake_yookassa import FakeYooKassa


class Command(BaseCommand):
    help = "Run the local fake YooKassa API and payment page (for the demo and manual testing)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_YOOKASSA_PORT", 8010)))
        parser.add_argument(
            "--webhook-url",
            default="",
            help="Where notifications go (default: FAKE_YOOKASSA_WEBHOOK_URL, else SITE_URL + the notifications path).",
        )

    def handle(self, *args, host, port, webhook_url, **options):
        fake = FakeYooKassa(
            shop_id=settings.YOOKASSA_SHOP_ID,
            secret_key=settings.YOOKASSA_SECRET_KEY,
            webhook_url=webhook_url or None,
            host=host,
            port=port,
        )
        fake.serve_until_stopped(
            announce=lambda fake: (
                f"Fake YooKassa on {fake.api_url} (shop {fake.shop_id}); notifications go to {fake.notification_url()}."
            ),
            stdout=self.stdout,
        )
