"""The orders' figures at `/metrics`: orders placed, orders by status, orders by payment status.

Registered from `OrdersConfig.ready()`; read from the database when the metrics are scraped.
"""

from django.db.models import Count
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from orders.models import Order


def orders_metrics_describe():
    yield CounterMetricFamily("dwc_orders_placed", "")
    yield GaugeMetricFamily("dwc_orders", "", labels=["status"])
    yield GaugeMetricFamily("dwc_payments", "", labels=["payment_status"])


def orders_metrics_collect():
    placed = CounterMetricFamily("dwc_orders_placed", "Заказы, оформленные за всё время.")
    placed.add_metric([], Order.objects.count())
    yield placed
    orders = GaugeMetricFamily("dwc_orders", "Заказы по статусу.", labels=["status"])
    for row in Order.objects.order_by().values("status").annotate(n=Count("pk")):
        orders.add_metric([row["status"]], row["n"])
    yield orders
    payments = GaugeMetricFamily("dwc_payments", "Заказы по статусу платежа ЮKassa.", labels=["payment_status"])
    for row in Order.objects.order_by().values("payment_status").annotate(n=Count("pk")):
        payments.add_metric([row["payment_status"]], row["n"])
    yield payments
