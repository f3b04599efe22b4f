"""Concurrent hand-overs of the same orders (two staff members, a double click, a wave and a selection at once):
each order reaches CDEK once. PostgreSQL only (real row locks):
`DATABASE_URL=postgres://… .venv/bin/pytest fulfilment/tests/test_concurrency.py`."""

import pytest

from fulfilment.models import Shipment, ShipmentState
from fulfilment.services import shipment_batch_create, shipment_batch_work, shipment_register
from fulfilment.tests.factories import paid_order
from orders.tests.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_registrations_post_each_order_once(fake_cdek, settings):
    settings.CDEK_TIMEOUT = 10
    orders = [paid_order() for _ in range(5)]
    single = [lambda order=order: shipment_register(order=order) for order in orders for _ in range(3)]
    batches = [lambda: shipment_batch_work(batch_id=shipment_batch_create(orders=orders).pk) for _ in range(2)]
    results = run_together(single + batches)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(fake_cdek.api_requests("POST", "/v2/orders")) == 5
    assert Shipment.objects.filter(state=ShipmentState.REGISTERED).count() == 5
