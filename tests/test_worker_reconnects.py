"""The task worker outlives a cut database connection: it reconnects and runs the next task (PostgreSQL, the real
`manage.py db_worker` in its own process; the test cuts its connections with `pg_terminate_backend`)."""

import os
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.utils import OperationalError
from django_tasks_db.models import DBTaskResult

from accounts.tasks import sms_deliver
from config.management.commands import db_worker as ours

pytestmark = pytest.mark.django_db(transaction=True)


def _cut_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _wait_until(check, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.postgres
def test_the_worker_reconnects_after_its_connection_is_cut(settings_tasks_db):
    db = connection.settings_dict
    env = {
        **os.environ,
        # The production settings: tasks in the database (the suite's settings run them at once).
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "worker-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "SMS_BACKEND": "console",
        "LOG_FORMAT": "plain",
        "DATABASE_URL": f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.05", "--no-startup-delay"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        first = sms_deliver.enqueue(phone="+79990000001", text="Первое")
        assert _wait_until(lambda: DBTaskResult.objects.get(pk=first.id).status == "SUCCESSFUL")
        # Cut again and again for a few seconds, so that cuts land in the middle of the worker's polling too.
        cuts = 0
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            cuts += _cut_other_connections()
            time.sleep(0.03)
        assert cuts >= 1
        time.sleep(1)
        assert worker.poll() is None, "the worker stopped when its connection was cut"
        second = sms_deliver.enqueue(phone="+79990000002", text="Второе")
        assert _wait_until(lambda: DBTaskResult.objects.get(pk=second.id).status == "SUCCESSFUL")
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.fixture
def settings_tasks_db(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SMS_BACKEND = "console"


def test_a_database_error_outside_a_task_is_waited_out_not_fatal(monkeypatch):
    """Without PostgreSQL: the worker's loop breaks on a database error twice, then runs on."""
    calls = []

    def run(self):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return "stopped"

    monkeypatch.setattr(ours.LibraryWorker, "run", run)
    monkeypatch.setattr(ours, "RECONNECT_PAUSE", 0)
    worker = ours.ReconnectingWorker(
        queue_names=["default"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    assert worker.run() == "stopped" and len(calls) == 3
