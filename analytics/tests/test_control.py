"""The drop's control room: the figures, the live page (a static script, no inline code), the pause button, and
what a refresh costs (a cached snapshot: no query of its own, whatever the number of orders)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from analytics.control import control_snapshot, control_snapshot_build
from catalog.tests.factories import ProductFactory
from drops.models import Draw, DrawEntry, QueueEntry
from orders.models import Order
from orders.tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared_cache(settings):
    # Redis in production; an in-memory cache here stands in for it (the database cache adds one read).
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def sale(orders: int):
    now = timezone.now()
    product = ProductFactory(stock={"M": 7, "L": 0}, sale_starts_at=now - timedelta(minutes=5), queue_enabled=True)
    for n in range(orders):
        order = OrderFactory(payment_status="succeeded" if n % 2 else "pending")
        OrderItemFactory(order=order, product=product, size="M", quantity=1)
    for n in range(3):
        QueueEntry.objects.create(
            product=product, user=UserFactory(), slot=n, admit_at=now - timedelta(seconds=30 * n)
        )
    QueueEntry.objects.create(product=product, user=UserFactory(), slot=9, admit_at=now + timedelta(minutes=3))
    draw = Draw.objects.create(product=product, seed="s", seed_hash="h")
    for status in ("entered", "entered", "won"):
        DrawEntry.objects.create(draw=draw, user=UserFactory(), phone=f"+7916{DrawEntry.objects.count():07d}",
                                 size="M", status=status, delivery_method="courier", price=1, delivery_amount=0,
                                 amount=1)  # fmt: skip
    return product


def test_the_figures():
    product = sale(orders=4)
    figures = control_snapshot_build(product_id=product.pk)
    assert figures["waiting"] == 1
    assert sum(row["count"] for row in figures["admitted_per_minute"]) == 3
    assert sum(row["count"] for row in figures["orders_per_minute"]) == 4
    assert len(figures["orders_per_minute"]) == 10
    assert figures["units_left"] == {"M": 7, "L": 0}
    assert figures["payments"] == {"pending": 2, "succeeded": 2}
    assert figures["draw_entries"] == {"M": {"участвует": 2, "выиграла": 1}}


def test_a_refresh_reads_the_cached_snapshot_and_no_database(django_assert_num_queries):
    product = sale(orders=4)
    control_snapshot(product_id=product.pk)
    with django_assert_num_queries(0):
        control_snapshot(product_id=product.pk)


def test_a_rebuild_costs_the_same_whatever_the_orders(django_assert_num_queries):
    few, many = sale(orders=2), sale(orders=40)
    with django_assert_num_queries(8):
        control_snapshot_build(product_id=few.pk)
    with django_assert_num_queries(8):
        control_snapshot_build(product_id=many.pk)
    assert Order.objects.count() == 42


def test_the_page_refreshes_itself_from_a_static_script_and_has_the_pause_button(
    staff, django_assert_max_num_queries
):
    product = sale(orders=1)
    page = staff.get(f"/admin/analytics/drops/{product.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Приостановить продажу" in html
    assert "backoffice/control_room.js" in html and "<script>" not in html
    staff.get(f"/admin/analytics/drops/{product.pk}/data.json")
    with django_assert_max_num_queries(2):  # the staff session and its user; the figures come from the cache
        data = staff.get(f"/admin/analytics/drops/{product.pk}/data.json").json()
    assert data["units_left"]["M"] == 7
    response = staff.post(
        f"/admin/drops/drop/{product.pk}/pause/",
        {"action": "pause", "next": f"/admin/analytics/drops/{product.pk}/"},
    )
    assert "Продажа приостановлена" in staff.get(response.url).content.decode()


def test_the_control_room_is_for_staff(client):
    product = ProductFactory()
    assert client.get(f"/admin/analytics/drops/{product.pk}/data.json").status_code == 302
