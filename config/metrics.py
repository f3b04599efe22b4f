"""Prometheus metrics at `/metrics`: django-prometheus's requests and latencies, plus the shop's own figures.

The shop's figures (orders placed, payments by status, SMS that failed) are read from the database when the
metrics are scraped, so they are the same whichever worker answers and include what background workers did.
Only `Authorization: Bearer <METRICS_TOKEN>` or a staff session may read them.
"""

import hmac
import os

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

SMS_TASK_PATH = "accounts.tasks.sms_deliver"


class ShopCollector:
    """Business figures counted in the database at scrape time."""

    def describe(self):
        # Names only: registering must not query the database (it may not exist yet).
        yield CounterMetricFamily("dwc_orders_placed", "")
        yield GaugeMetricFamily("dwc_orders", "", labels=["status"])
        yield GaugeMetricFamily("dwc_payments", "", labels=["payment_status"])
        yield CounterMetricFamily("dwc_sms_failures", "")

    def collect(self):
        # By name: `config` sits below every app of the shop and imports none of them.
        Order = apps.get_model("orders", "Order")
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")

        placed = CounterMetricFamily("dwc_orders_placed", "Заказы, оформленные за всё время.")
        placed.add_metric([], Order.objects.count())
        yield placed
        orders = GaugeMetricFamily("dwc_orders", "Заказы по статусу.", labels=["status"])
        for row in Order.objects.order_by().values("status").annotate(n=Count("pk")):
            orders.add_metric([row["status"]], row["n"])
        yield orders
        payments = GaugeMetricFamily(
            "dwc_payments", "Заказы по статусу платежа ЮKassa.", labels=["payment_status"]
        )
        for row in Order.objects.order_by().values("payment_status").annotate(n=Count("pk")):
            payments.add_metric([row["payment_status"]], row["n"])
        yield payments
        failed = CounterMetricFamily("dwc_sms_failures", "Неудачные попытки отправить SMS (в очереди задач).")
        failed.add_metric([], DBTaskResult.objects.filter(task_path=SMS_TASK_PATH, status="FAILED").count())
        yield failed


SHOP_COLLECTOR = ShopCollector()
REGISTRY.register(SHOP_COLLECTOR)


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
