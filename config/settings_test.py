"""Test settings: the production module with a test key, fast hashing, immediate tasks, in-memory SMS."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-for-the-suite-only-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Tests that need YooKassa start the fake; the others must never reach the real API (nothing listens on port 9).
os.environ.setdefault("YOOKASSA_API_URL", "http://127.0.0.1:9/v3")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SMS_BACKEND = "memory"
# One folder per pytest-xdist worker: the browser tests upload where the site's /media/ URL serves from.
MEDIA_ROOT = BASE_DIR / "var" / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
# Static files are looked up when asked for, instead of every test client's middleware listing them all anew.
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
DEMO_PHOTO_WIDTH = 480  # the seed stays fast in tests; page-weight figures come from benchmarks/page_weight.py
# Delivery is free unless a test says otherwise, so amount tests stay about the goods; delivery tests set a price.
DELIVERY_FLAT_AMOUNT = "0.00"
CATALOG_CACHE = True  # one process: local memory is exact
if DATABASES["default"]["ENGINE"] == "config.sqlite":  # noqa: F405
    # In memory, one per pytest-xdist worker (pytest-django suffixes file names only of Django's own backend).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
