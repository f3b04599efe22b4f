"""The same races over HTTP: forty customers POST orders/ at once to gunicorn (several workers, threads), on
PostgreSQL. gunicorn serves the test database; payments go to the local fake YooKassa."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import UserFactory
from catalog.models import Product, ProductStock
from catalog.tests.factories import ProductFactory
from orders.models import Order
from preorders.models import PreorderWave
from preorders.tests.factories import PreorderProductFactory
from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(fake_yookassa, tmp_path):
    """gunicorn on a free loopback port, serving the test database; yields its base URL."""
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}",
        "THROTTLE_ENABLED": "false",
        "YOOKASSA_API_URL": fake_yookassa.api_url,
        "YOOKASSA_SHOP_ID": fake_yookassa.shop_id,
        "YOOKASSA_SECRET_KEY": fake_yookassa.secret_key,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "3",
        "GUNICORN_THREADS": "4",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v1/health/", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def post_all(url, bodies):
    """Each body from its own customer, all sent at once; returns Counter of (status, code)."""
    tokens = [str(RefreshToken.for_user(UserFactory()).access_token) for _ in bodies]
    barrier = threading.Barrier(len(bodies))
    answers = [None] * len(bodies)

    def buyer(index):
        request = urllib.request.Request(
            f"{url}/api/v1/orders/",
            data=json.dumps(bodies[index]).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {tokens[index]}"},
        )
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answers[index] = (response.status, json.loads(response.read()).get("code"))
        except urllib.error.HTTPError as error:
            answers[index] = (error.code, json.loads(error.read() or b"{}").get("code"))
        except OSError as error:
            answers[index] = ("no answer", repr(error))

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(answers)


def test_forty_http_buyers_for_the_last_ten_units(gunicorn):
    product = ProductFactory(stock={"M": 10})
    body = {
        "delivery_address": "Москва, ул. Тверская, 1",
        "items": [{"product": product.pk, "size": "M", "quantity": 1}],
    }
    assert post_all(gunicorn, [body] * BUYERS) == {(201, None): 10, (409, "insufficient_stock"): 30}
    assert ProductStock.objects.get(product=product, size="M").quantity == 0
    # Every placed order went on to YooKassa after it committed.
    assert Order.objects.exclude(payment_url="").count() == 10


def test_forty_http_buyers_for_three_waves_of_five(gunicorn):
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    body = {
        "delivery_address": "Москва, ул. Тверская, 1",
        "items": [{"product": product.pk, "size": "L", "quantity": 1}],
    }
    assert post_all(gunicorn, [body] * BUYERS) == {(201, None): 15, (409, "waves_full"): 25}
    assert list(PreorderWave.objects.filter(product=product).values_list("current_count", flat=True)) == [5, 5, 5]
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.WAITING


def test_forty_http_orders_with_a_code_for_five(gunicorn):
    products = [ProductFactory(stock={"M": 1}) for _ in range(BUYERS)]
    PromoCodeFactory(code="FIVE", max_uses=5)
    bodies = [
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": p.pk, "size": "M", "quantity": 1}],
            "promo_code": "five",
        }
        for p in products
    ]
    assert post_all(gunicorn, bodies) == {(201, None): 5, (400, "promo_used_up"): 35}
    assert PromoCode.objects.get(code="FIVE").current_uses == 5
