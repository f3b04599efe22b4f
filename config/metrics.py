"""Prometheus metrics at `/metrics`: django-prometheus's requests and latencies, plus the shop's own figures.

The shop's figures (orders placed, payments by status, SMS that failed) are read from the database when the
metrics are scraped, so they are the same whichever worker answers and include what background workers did.
Only `Authorization: Bearer <METRICS_TOKEN>` or a staff session may read them.
"""

import hmac
import os

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class ShopCollector:
    """Business figures counted in the database at scrape time, from the sources the apps register.

    `config` sits below every app of the shop and names none of them: each app that owns a figure registers it
    from its `AppConfig.ready()` with `metrics_register`.
    """

    def __init__(self):
        self.sources = []

    def describe(self):
        # Names only: registering must not query the database (it may not exist yet).
        for describe, _collect in self.sources:
            yield from describe()

    def collect(self):
        for _describe, collect in self.sources:
            yield from collect()


SHOP_COLLECTOR = ShopCollector()
REGISTRY.register(SHOP_COLLECTOR)


def metrics_register(*, describe, collect) -> None:
    """Add an app's figures to `/metrics`: `describe()` yields its empty metric families (names only, no query),
    `collect()` yields them filled from the database at scrape time."""
    SHOP_COLLECTOR.sources.append((describe, collect))


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)


def metrics_view(request):
    if not metrics_allowed(request):
        return HttpResponse("Доступ к метрикам закрыт.", status=403, content_type="text/plain; charset=utf-8")
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        # Several gunicorn workers: each writes its samples to the shared directory, read together here.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(SHOP_COLLECTOR)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
