"""The pause button: orders, admissions refused at once with 409 `sale_paused`; resuming continues where it
stopped (the queue's clock frozen for the pause's length)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import Product
from catalog.selectors import items_resolve
from catalog.tests.factories import ProductFactory
from config.errors import DomainError
from drops.models import QueueEntry
from drops.pausing import sale_pause, sale_resume
from drops.services import queue_admission_check, queue_join, queue_place, queue_schedule
from orders.services import order_place

pytestmark = pytest.mark.django_db

ORDER = {"delivery_address": "Москва, ул. Тверская, 1"}


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


def body(product, size="M"):
    return {"items": [{"product": product.pk, "size": size, "quantity": 1}], **ORDER}


def test_a_paused_sale_refuses_orders_and_resumes(user_client):
    product = ProductFactory(stock={"M": 5})
    assert sale_pause(product_id=product.pk) is True
    assert sale_pause(product_id=product.pk) is False  # a second click changes nothing
    refused = user_client.post("/api/v1/orders/", body(product), format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "sale_paused"
    assert "приостановлена" in refused.json()["detail"]
    assert user_client.get(f"/api/v1/products/{product.pk}/").json()["sale_paused"] is True
    assert sale_resume(product_id=product.pk) is True
    assert user_client.post("/api/v1/orders/", body(product), format="json").status_code == 201


def test_a_paused_queue_refuses_places_and_admitted_orders():
    start = timezone.now() - timedelta(minutes=1)
    drop = ProductFactory(stock={"M": 5}, sale_starts_at=start, queue_enabled=True, queue_rate=10)
    buyer, newcomer = UserFactory(), UserFactory()
    queue_join(product=drop, user=buyer)
    QueueEntry.objects.filter(product=drop, user=buyer).update(admit_at=timezone.now())
    sale_pause(product_id=drop.pk)
    drop.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        queue_join(product=drop, user=newcomer)
    assert refused.value.code == "sale_paused" and refused.value.status == 409
    with pytest.raises(DomainError) as refused:
        order_place(user=buyer, items=body(drop)["items"], **ORDER)
    assert refused.value.code == "sale_paused"
    # The shared schedule was dropped at once: the place reads as paused, not from a stale copy.
    place = queue_place(product_id=drop.pk, user=buyer)
    assert place.paused and "приостановлена" in place.detail


def test_resuming_gives_admitted_buyers_their_remaining_minutes_and_moves_the_queue(settings):
    settings.QUEUE_ADMISSION_MINUTES = 10
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(minutes=6)
    drop = ProductFactory(stock={"M": 50}, sale_starts_at=start, queue_enabled=True, queue_rate=1)
    admitted, waiting, lapsed = UserFactory(), UserFactory(), UserFactory()
    # Admitted 6 minutes ago (4 left), admitted in 3 minutes, lapsed long ago.
    QueueEntry.objects.create(product=drop, user=admitted, slot=0, admit_at=start)
    QueueEntry.objects.create(product=drop, user=waiting, slot=9, admit_at=start + timedelta(minutes=9))
    QueueEntry.objects.create(product=drop, user=lapsed, slot=1, admit_at=start - timedelta(minutes=30))
    sale_pause(product_id=drop.pk, now=now)
    later = now + timedelta(minutes=20)
    sale_resume(product_id=drop.pk, now=later)
    drop.refresh_from_db()
    assert not drop.sale_paused and drop.sale_paused_at is None
    assert drop.sale_starts_at == start + timedelta(minutes=20)
    rows = {row.user_id: row.admit_at for row in QueueEntry.objects.filter(product=drop)}
    assert rows[admitted.pk] + timedelta(minutes=10) - later == timedelta(minutes=4)
    assert rows[waiting.pk] - later == timedelta(minutes=3)
    assert rows[lapsed.pk] == start - timedelta(minutes=30)
    queue_admission_check(user=admitted, items=_items(drop), now=later + timedelta(minutes=3))
    with pytest.raises(DomainError):
        queue_admission_check(user=admitted, items=_items(drop), now=later + timedelta(minutes=5))
    assert queue_schedule(product_id=drop.pk).starts_at == drop.sale_starts_at


def test_a_token_from_before_the_resume_is_not_trusted():
    start = timezone.now() - timedelta(minutes=1)
    drop = ProductFactory(stock={"M": 5}, sale_starts_at=start, queue_enabled=True, queue_rate=1)
    buyer = UserFactory()
    token = queue_join(product=drop, user=buyer).token
    sale_pause(product_id=drop.pk, now=timezone.now() - timedelta(minutes=5))
    sale_resume(product_id=drop.pk)
    place = queue_place(product_id=drop.pk, user=buyer, token=token)
    assert place.admit_at == QueueEntry.objects.get(product=drop, user=buyer).admit_at


def test_one_click_in_the_admin_pauses_and_the_page_says_so(staff, client):
    product = ProductFactory(stock={"M": 5})
    change = f"/admin/catalog/product/{product.pk}/change/"
    page = staff.get(change)
    assert "Приостановить продажу" in page.content.decode()
    response = staff.post(f"/admin/drops/drop/{product.pk}/pause/", {"action": "pause", "next": change})
    assert response.status_code == 302 and response.url == change
    assert Product.objects.get(pk=product.pk).sale_paused
    assert "Возобновить продажу" in staff.get(change).content.decode()
    assert "Продажа приостановлена" in client.get(product.get_absolute_url()).content.decode()
    staff.post(f"/admin/drops/drop/{product.pk}/pause/", {"action": "resume", "next": "https://evil.example/"})
    assert not Product.objects.get(pk=product.pk).sale_paused
    assert staff.get(f"/admin/drops/drop/{product.pk}/pause/").status_code == 405


def _items(product):
    return items_resolve(items=[{"product": product.pk, "size": "M", "quantity": 1}])
