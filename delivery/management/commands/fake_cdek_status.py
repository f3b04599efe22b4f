"""`manage.py fake_cdek_status DWC-2026-000123 DELIVERED`: the local fake CDEK moves a parcel on and posts the
status webhook to the shop, as CDEK would (the demo's way from «отправлен» to «вручён»)."""

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from delivery.fake_cdek.shipping import STATUS_NAMES


class Command(BaseCommand):
    help = "Move an order registered at the local fake CDEK to a status; the fake posts ORDER_STATUS."

    def add_arguments(self, parser):
        parser.add_argument("order", help="the shop's order number, CDEK's number or uuid")
        parser.add_argument("code", choices=sorted(STATUS_NAMES), help="CDEK's status code")

    def handle(self, *args, order, code, **options):
        base = settings.CDEK_API_URL.rstrip("/").removesuffix("/v2")
        try:
            answer = requests.post(f"{base}/fake/orders/{order}/status", json={"code": code}, timeout=30)
        except requests.RequestException as error:
            raise CommandError(f"The fake CDEK at {base} does not answer: {error}") from error
        if not answer.ok:
            raise CommandError(f"The fake CDEK refused: {answer.text}")
        self.stdout.write(f"{order}: {code} ({STATUS_NAMES[code]}), the webhook is sent.")
