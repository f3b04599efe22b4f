"""The accounts' figure at `/metrics`: SMS sends that failed in the task queue.

Registered from `AccountsConfig.ready()`; read from the database when the metrics are scraped.
"""

from django.apps import apps
from prometheus_client.core import CounterMetricFamily

from accounts.tasks import sms_deliver


def sms_metrics_describe():
    yield CounterMetricFamily("dwc_sms_failures", "")


def sms_metrics_collect():
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    failed = CounterMetricFamily("dwc_sms_failures", "Неудачные попытки отправить SMS (в очереди задач).")
    failed.add_metric([], DBTaskResult.objects.filter(task_path=sms_deliver.module_path, status="FAILED").count())
    yield failed
