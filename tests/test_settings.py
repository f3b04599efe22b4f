"""Production settings refuse to start without a real secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _import_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_with_secret_key_starts():
    result = _import_settings(DEBUG="false", SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr


def test_debug_laptop_starts_without_secret_key():
    assert _import_settings(DEBUG="true").returncode == 0


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_manage_py_runs_on_a_laptop_without_any_environment():
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr


def test_manage_py_in_production_refuses_without_secret_key():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
