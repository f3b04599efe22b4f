"""Browser tests: Playwright drives Debian's Chromium (`apt-get install chromium`; no browser download).

Every test gets a `shop` helper with a fresh page that fails the test on any JavaScript error or console error,
and saves a screenshot of each step under `test-artifacts/<test name>/`.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import get_resolver

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install -y chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module. Playwright's sync API keeps an event loop in this thread, which Django
    takes for async code: the tests' own (synchronous) ORM calls are allowed while it runs, and only then."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def served_media(settings):
    """Pictures the test uploads go where the site's /media/ URL serves them from."""
    for pattern in get_resolver().url_patterns:
        root = getattr(pattern, "default_args", {}).get("document_root")
        if root:
            settings.MEDIA_ROOT = root
    return settings.MEDIA_ROOT


class Shop:
    """One browser page on the live shop: `goto(path)`, `shot(step)`, and the JavaScript errors seen."""

    def __init__(self, page, base_url: str, folder: Path):
        self.page = page
        self.base_url = base_url
        self.folder = folder
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.steps = 0
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def goto(self, path: str):
        return self.page.goto(f"{self.base_url}{path}")

    def shot(self, step: str):
        self.steps += 1
        self.page.screenshot(path=str(self.folder / f"{self.steps:02d}-{step}.png"), full_page=True)

    def assert_fits_width(self):
        """Nothing sticks out sideways (a phone must not scroll horizontally)."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        viewport = self.page.viewport_size["width"]
        assert width <= viewport, f"{self.page.url} is {width}px wide in a {viewport}px window"


@pytest.fixture
def shop_page(request, chromium, live_server, served_media):
    """Make a `Shop` for a viewport: `shop_page(DESKTOP)` or `shop_page(PHONE)`; JS errors fail the test."""
    contexts, shops = [], []
    name = re.sub(r"[^\w.-]+", "_", request.node.name)

    def make(viewport=DESKTOP) -> Shop:
        folder = ARTIFACTS / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        context = chromium.new_context(viewport=viewport, locale="ru-RU")
        context.set_default_timeout(10_000)
        contexts.append(context)
        shop = Shop(context.new_page(), live_server.url, folder)
        shops.append(shop)
        return shop

    yield make
    for context in contexts:
        context.close()
    errors = [error for shop in shops for error in shop.errors]
    failed = [url for shop in shops for url in shop.failed]
    assert not errors, "JavaScript errors in the browser:\n" + "\n".join(errors + failed)
