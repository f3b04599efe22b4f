"""`manage.py fake_cdek --port 8020`: the local fake CDEK API for the offline demo (`make run` starts it)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from delivery.fake_cdek import FakeCdek


class Command(BaseCommand):
    help = "Run the local fake CDEK API v2 (points, tariffs, orders, print forms, webhooks)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_CDEK_PORT", 8020)))

    def handle(self, *args, host, port, **options):
        FakeCdek(
            client_id=settings.CDEK_CLIENT_ID or "demo-cdek",
            client_secret=settings.CDEK_CLIENT_SECRET or "demo-cdek-secret",
            host=host,
            port=port,
        ).serve_until_stopped(
            announce=lambda fake: f"Fake CDEK on {fake.api_url} (client {fake.client_id}).", stdout=self.stdout
        )
