"""Production settings refuse to start without a real secret key or on demo payment credentials; safe defaults."""

import os
import runpy
import subprocess
import sys
from pathlib import Path
from unittest import mock

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent


SETTINGS_ENV = {
    "SECRET_KEY",
    "DEBUG",
    "DATABASE_URL",
    "YOOKASSA_SHOP_ID",
    "YOOKASSA_SECRET_KEY",
    "YOOKASSA_API_URL",
}


def _import_settings(code="", **env):
    """Starts a Python process on the production settings module (`django.setup()` and `code`)."""
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    environment.setdefault("YOOKASSA_API_URL", "http://127.0.0.1:9/v3")
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def _settings(**env) -> dict:
    """The production settings module evaluated afresh in this process, seeing only `env` and what the test
    process has outside `SETTINGS_ENV` (a process start costs a second; the values are the same)."""
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    environment.setdefault("YOOKASSA_API_URL", "http://127.0.0.1:9/v3")
    environment.update(env)
    with mock.patch.object(environ.Env, "ENVIRON", environment):
        return runpy.run_path(str(ROOT / "config" / "settings.py"))


def test_production_without_secret_key_refuses_to_start():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        _settings(DEBUG="false")


def test_production_with_secret_key_starts():
    result = _import_settings(DEBUG="false", SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr


def test_debug_laptop_starts_without_secret_key():
    assert _settings(DEBUG="true")["SECRET_KEY"]  # and `manage.py` runs with no environment at all, below


REAL_API = "https://api.yookassa.ru/v3"


def test_production_refuses_demo_yookassa_credentials_against_the_real_api():
    with pytest.raises(ImproperlyConfigured, match="YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY are the demo values"):
        _settings(DEBUG="false", SECRET_KEY="x" * 60, YOOKASSA_API_URL=REAL_API)


def test_production_starts_with_real_yookassa_credentials():
    values = _settings(
        DEBUG="false",
        SECRET_KEY="x" * 60,
        YOOKASSA_API_URL=REAL_API,
        YOOKASSA_SHOP_ID="123456",
        YOOKASSA_SECRET_KEY="live_abc",
    )
    assert values["YOOKASSA_SHOP_ID"] == "123456" and not values["YOOKASSA_DEMO_CREDENTIALS"]


def _setting(name, **env):
    return repr(_settings(**env)[name])


def test_media_is_served_by_django_only_in_debug():
    assert _setting("SERVE_MEDIA", DEBUG="true") == "True"
    assert _setting("SERVE_MEDIA", DEBUG="false", SECRET_KEY="x" * 60) == "False"


def test_hsts_preload_is_an_explicit_opt_in():
    assert _setting("SECURE_HSTS_PRELOAD", DEBUG="false", SECRET_KEY="x" * 60) == "False"
    assert (
        _setting("SECURE_HSTS_PRELOAD", DEBUG="false", SECRET_KEY="x" * 60, SECURE_HSTS_PRELOAD="true") == "True"
    )


def test_api_endpoints_are_private_unless_they_say_otherwise(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == ["rest_framework.permissions.IsAuthenticated"]


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    environment.setdefault("YOOKASSA_API_URL", "http://127.0.0.1:9/v3")
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


def test_the_media_bucket_host_may_serve_images_under_the_content_security_policy():
    def img_src(**env):
        return _settings(DEBUG="true", MEDIA_S3_BUCKET="dwc-media", **env)["CONTENT_SECURITY_POLICY"][
            "DIRECTIVES"
        ]["img-src"]

    assert "https://cdn.example.ru" in img_src(MEDIA_S3_CUSTOM_DOMAIN="cdn.example.ru")
    assert "http://localhost:9000" in img_src(MEDIA_S3_ENDPOINT_URL="http://localhost:9000")
