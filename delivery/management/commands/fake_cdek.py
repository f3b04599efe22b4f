"""`manage.py fake_cdek --port 8020`: the local fake CDEK API for the offline demo (`make run` starts it)."""

import contextlib
import os
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from delivery.fake_cdek import FakeCdek


class Command(BaseCommand):
    help = "Run the local fake CDEK API v2 (points, tariffs, orders, print forms, webhooks)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_CDEK_PORT", 8020)))

    def handle(self, *args, host, port, **options):
        fake = FakeCdek(
            client_id=settings.CDEK_CLIENT_ID or "demo-cdek",
            client_secret=settings.CDEK_CLIENT_SECRET or "demo-cdek-secret",
            host=host,
            port=port,
        )
        fake.start()
        self.stdout.write(f"Fake CDEK on {fake.api_url} (client {fake.client_id}). Stop with Ctrl+C.")
        self.stdout.flush()
        try:
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()
        finally:
            fake.stop()
