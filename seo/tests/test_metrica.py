"""Yandex Metrica: nothing without a counter; with one, a file of ours and the e-commerce data, no inline script."""

import json
import re
import subprocess
import sys

import pytest

from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_without_a_counter_pages_carry_no_metrica(client, settings):
    settings.YANDEX_METRICA_ID = ""
    product = ProductFactory(stock={"S": 1})
    html = client.get(product.get_absolute_url()).content.decode()
    assert "metrica" not in html
    assert "mc.yandex" not in client.get("/")["Content-Security-Policy"]


def test_with_a_counter_pages_load_our_file_and_carry_the_detail_data(client, settings):
    settings.YANDEX_METRICA_ID = "12345678"
    product = ProductFactory(article="HD-01", stock={"S": 1})
    html = client.get(product.get_absolute_url()).content.decode()
    assert re.search(r'<script src="/static/js/metrica\.js" data-counter="12345678" defer></script>', html)
    block = re.search(r'<script id="metrica-product" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["product"]["id"] == "HD-01"
    assert data["currencyCode"] == "RUB"
    # Every script of the page is a file of ours or a data block: nothing inline runs.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or "application/json" in tag or "application/ld+json" in tag, tag


@pytest.mark.parametrize("counter, allowed", [("", False), ("12345678", True)])
def test_the_policy_allows_metricas_hosts_only_with_a_counter(counter, allowed):
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings_test'); django.setup();"
        "from django.conf import settings; d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES'];"
        "print('https://mc.yandex.ru' in d['script-src'] and 'https://mc.yandex.ru' in d['connect-src'])"
    )
    env = {"YANDEX_METRICA_ID": counter, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(allowed)
