"""A real gunicorn serving the shop on a free loopback port, for what only separate processes can show."""

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sqlite_schema_write(path: Path) -> None:
    """Writes a SQLite database with the shop's tables to `path`: a copy of the suite's own migrated test
    database, as Django's parallel test runner clones it, or a `migrate` run when the suite is on PostgreSQL.

    Call it outside any test transaction (a session fixture does): SQLite cannot copy a database that the same
    connection holds locked."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "false",
        "SECRET_KEY": "gunicorn-test-secret-key-0123456789abcdefghijklmnop",
        "DATABASE_URL": f"sqlite:///{path}",
        "YOOKASSA_API_URL": "http://127.0.0.1:9/v3",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def gunicorn_shop(tmp_path: Path, *, workers: int = 1, schema: Path | None = None, **extra_env):
    """Yields the base URL of a gunicorn with `workers` processes on its own SQLite file: a copy of `schema` (the
    `sqlite_schema` fixture) when the shop needs its tables, else an empty one."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "false",
        "SECRET_KEY": "gunicorn-test-secret-key-0123456789abcdefghijklmnop",
        "SECURE_SSL_REDIRECT": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOG_LEVEL": "WARNING",
        # The app is imported once, then the workers fork from it: a start costs one import, not one per worker.
        "GUNICORN_CMD_ARGS": "--preload",
        # The suite's settings (fast password hashing: a refused login costs no bcrypt round).
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        # Production settings refuse the demo YooKassa keys against the real API; these tests pay nothing.
        "YOOKASSA_API_URL": "http://127.0.0.1:9/v3",
        **extra_env,
    }
    if schema is not None:
        shutil.copyfile(schema, tmp_path / "db.sqlite3")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base_url}/static/favicon.svg", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not answer")
        yield base_url
    finally:
        server.send_signal(signal.SIGINT)  # a quick shutdown: nothing is left to finish
        server.wait(timeout=10)
