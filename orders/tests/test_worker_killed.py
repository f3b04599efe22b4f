"""A worker killed in the middle of placing an order (SIGKILL: no cleanup of any kind) leaves nothing reserved
without an order: the order is one transaction, and the database rolls back what a dead connection began."""

import os
import signal
import subprocess
import sys
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from catalog.models import ProductStock
from catalog.tests.factories import ProductFactory
from orders.models import Order, OrderItem
from preorders.models import PreorderWave
from preorders.tests.factories import PreorderProductFactory
from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Places one order and stops for good once everything is reserved and written, just before the commit.
WORKER = """
import sys, time
import django
django.setup()
from accounts.models import User
from orders.services import placing

real_timeline_start = placing._timeline_start

def stop_before_commit(**kwargs):
    real_timeline_start(**kwargs)
    print("reserved", flush=True)
    time.sleep(600)

placing._timeline_start = stop_before_commit
user = User.objects.get(pk=int(sys.argv[1]))
placing.order_place(user=user, items=[{"product": int(sys.argv[2]), "size": "M", "quantity": 2},
                                      {"product": int(sys.argv[3]), "size": "M", "quantity": 3}],
                    promo_code="KILL", delivery_address="Москва, ул. Тверская, 1")
"""


def test_a_worker_killed_mid_order_leaves_nothing_reserved(user):
    tee = ProductFactory(price=Decimal("1000.00"), stock={"M": 5})
    drop = PreorderProductFactory(preorder_waves_total=1, preorder_wave_capacity=10)
    PromoCodeFactory(code="KILL", discount_percent=10, max_uses=3)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(user.pk), str(tee.pk), str(drop.pk)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "reserved"
        # Mid-order: the stock row is taken and locked, the order row written, but nothing is committed.
        assert ProductStock.objects.get(product=tee, size="M").quantity == 5
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    # Nothing reserved without an order, and the locks are gone: the next customer buys at once.
    assert ProductStock.objects.get(product=tee, size="M").quantity == 5
    assert list(PreorderWave.objects.filter(product=drop).values_list("current_count", flat=True)) == [0]
    assert PromoCode.objects.get(code="KILL").current_uses == 0
    assert not Order.objects.exists() and not OrderItem.objects.exists()

    from orders.services import order_place

    placing_again = order_place(
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 5}, {"product": drop.pk, "size": "M", "quantity": 10}],
        promo_code="KILL",
        delivery_address="Москва, ул. Тверская, 1",
    )
    assert placing_again.pk
    assert ProductStock.objects.get(product=tee, size="M").quantity == 0
