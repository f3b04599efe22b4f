"""Staff moving waves while customers preorder: both lock the product before its waves, so neither deadlocks.

Runs on PostgreSQL only (skipped, visibly, on SQLite).
"""

import pytest

from accounts.tests.factories import UserFactory
from orders.services import order_place
from orders.tests.test_concurrency import outcomes, run_together
from preorders.models import PreorderWave, WaveStatus
from preorders.services import wave_add, wave_set_capacity, wave_set_status
from preorders.tests.factories import PreorderProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


def test_wave_changes_racing_buyers_never_deadlock():
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=4)
    first, second, _ = PreorderWave.objects.filter(product=product).order_by("wave_number")
    calls = [
        lambda user=user: order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product.pk, "size": "M", "quantity": 1}],
        )
        for user in [UserFactory() for _ in range(16)]
    ]
    calls += [
        lambda: wave_set_status(wave=first, status=WaveStatus.PRODUCTION),
        lambda: wave_set_capacity(wave=second, capacity=6),
        lambda: wave_add(product=product, capacity=2),
    ]
    results = run_together(calls)
    staff = results[16:]
    assert not [r for r in staff if isinstance(r, Exception)], staff
    counted = outcomes(results[:16])
    assert set(counted) <= {"ok", "waves_full"}, counted
    waves = PreorderWave.objects.filter(product=product)
    assert sum(w.current_count for w in waves) == counted["ok"]
    assert all(w.current_count <= w.capacity for w in waves)
