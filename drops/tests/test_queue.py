"""The waiting room: places drawn at the start, later arrivals behind, `queue_rate` a minute, admissions that
lapse, and orders refused without one."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from config.errors import DomainError
from drops import services
from drops.models import DropQueue, QueueEntry
from drops.services import queue_admission_check, queue_join, queue_place, queue_start
from orders.services import order_place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    monkeypatch.setattr("orders.services.placing.order_payment_begin", lambda *, order_id: None)


@pytest.fixture
def start():
    return timezone.now().replace(microsecond=0) + timedelta(minutes=5)


@pytest.fixture
def drop(start):
    return ProductFactory(stock={"M": 100}, sale_starts_at=start, queue_enabled=True, queue_rate=3)


def join_at(drop, when, n=1, **kwargs):
    users = [UserFactory() for _ in range(n)]
    return users, [queue_join(product=drop, user=user, now=when, **kwargs) for user in users]


def test_the_queue_opens_fifteen_minutes_before_the_start(drop, start, user, settings):
    settings.QUEUE_OPENS_BEFORE = 15
    with pytest.raises(DomainError) as refused:
        queue_join(product=drop, user=user, now=start - timedelta(minutes=16))
    assert refused.value.code == "queue_not_open" and "Очередь откроется" in refused.value.message
    place = queue_join(product=drop, user=user, now=start - timedelta(minutes=14))
    assert (place.status, place.position) == ("waiting", None)


def test_one_account_holds_one_place(drop, start, user):
    queue_join(product=drop, user=user, now=start - timedelta(minutes=3))
    queue_join(product=drop, user=user, now=start - timedelta(minutes=2))
    queue_start(product_id=drop.pk, now=start)
    again = queue_join(product=drop, user=user, now=start + timedelta(seconds=5))
    assert QueueEntry.objects.filter(product=drop, user=user).count() == 1
    assert again.position == 1


def test_early_arrivals_are_shuffled_at_the_start_and_later_ones_queue_behind(drop, start):
    early, _ = join_at(drop, start - timedelta(minutes=10), n=12)
    queue_start(product_id=drop.pk, now=start)
    slots = [QueueEntry.objects.get(product=drop, user=user).slot for user in early]
    assert sorted(slots) == list(range(12))
    late, _ = join_at(drop, start + timedelta(seconds=30), n=3)
    assert [QueueEntry.objects.get(product=drop, user=user).slot for user in late] == [12, 13, 14]
    assert DropQueue.objects.get(product=drop).tail == 15


def test_arriving_early_gives_no_edge(start):
    """Over many drops, the first of ten early arrivals is first in line about one time in ten, never always."""
    firsts = Counter()
    for _ in range(30):
        drop = ProductFactory(sale_starts_at=start, queue_enabled=True, queue_rate=1)
        users, _ = join_at(drop, start - timedelta(minutes=10), n=10)
        queue_start(product_id=drop.pk, now=start)
        firsts[QueueEntry.objects.get(product=drop, user=users[0]).slot] += 1
    assert firsts[0] < 12  # first-come would be 30 of 30
    assert len(firsts) > 3


def test_the_shuffle_happens_once(drop, start):
    users, _ = join_at(drop, start - timedelta(minutes=1), n=5)
    queue_start(product_id=drop.pk, now=start)
    before = dict(QueueEntry.objects.values_list("user_id", "slot"))
    queue_start(product_id=drop.pk, now=start + timedelta(seconds=1))
    assert dict(QueueEntry.objects.values_list("user_id", "slot")) == before


def _most_in_any_minute(moments) -> int:
    """The most admissions any 60-second window [t, t + 60 s) holds (windows starting at each admission suffice)."""
    moments = sorted(moments)
    return max(sum(1 for other in moments if first <= other < first + timedelta(minutes=1)) for first in moments)


def test_admissions_are_spread_over_the_minute_never_more_than_the_rate(drop, start):
    join_at(drop, start - timedelta(minutes=1), n=10)
    queue_start(product_id=drop.pk, now=start)
    moments = sorted(QueueEntry.objects.values_list("admit_at", flat=True))
    # queue_rate 3: one every 20 seconds from the start, not three at each minute's start.
    assert [(m - start).total_seconds() for m in moments] == [20.0 * s for s in range(10)]
    # The queue ran dry: late arrivals get the next slots whose moments are still ahead, never a burst.
    join_at(drop, start + timedelta(minutes=7, seconds=5), n=5)
    late = sorted(
        QueueEntry.objects.filter(admit_at__gt=start + timedelta(minutes=7)).values_list("admit_at", flat=True)
    )
    assert [(m - start).total_seconds() for m in late] == [420 + 20.0 * s for s in range(1, 6)]
    assert _most_in_any_minute(QueueEntry.objects.values_list("admit_at", flat=True)) <= drop.queue_rate


@pytest.mark.parametrize("rate", [1, 7, 50, 333])
def test_no_sixty_seconds_admit_more_than_the_rate(start, rate):
    schedule = services.QueueSchedule(product_id=1, running=True, starts_at=start, rate=rate)
    moments = [schedule.slot_admit_at(slot) for slot in range(3 * rate + 5)]
    assert _most_in_any_minute(moments) == rate
    # admitted_slots agrees with the moments, to the microsecond.
    for slot, moment in enumerate(moments):
        assert schedule.admitted_slots(moment) == slot + 1
        assert schedule.admitted_slots(moment - timedelta(microseconds=1)) == slot


def test_a_place_moves_from_waiting_to_admitted_to_closed(drop, start, settings):
    settings.QUEUE_ADMISSION_MINUTES = 10
    (user,), _ = join_at(drop, start - timedelta(minutes=1))
    others, _ = join_at(drop, start - timedelta(minutes=1), n=8)
    queue_start(product_id=drop.pk, now=start)
    slot = QueueEntry.objects.get(product=drop, user=user).slot
    admit_at = start + timedelta(seconds=20 * slot)
    if slot >= 1:
        waiting = queue_place(product_id=drop.pk, user=user, now=start)
        assert waiting.status == "waiting" and waiting.position == slot and waiting.ahead == slot - 1
    admitted = queue_place(product_id=drop.pk, user=user, now=admit_at + timedelta(seconds=1))
    assert admitted.status == "admitted" and admitted.admitted_until == admit_at + timedelta(minutes=10)
    lapsed = queue_place(product_id=drop.pk, user=user, now=admit_at + timedelta(minutes=10))
    assert lapsed.status == "closed"
    # Queuing again puts the account at the tail (here the queue ran dry: the next slot, seconds away).
    again = queue_join(product=drop, user=user, now=admit_at + timedelta(minutes=11))
    assert QueueEntry.objects.get(product=drop, user=user).slot >= 9 and again.status == "waiting"
    assert again.admit_at - (admit_at + timedelta(minutes=11)) <= timedelta(seconds=20)


def test_a_refresh_with_the_token_reads_no_database(drop, start, user, django_assert_num_queries, settings):
    # With Redis as the shared cache (here an in-memory one): the queue itself asks the database nothing.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    queue_join(product=drop, user=user, now=start - timedelta(minutes=1))
    queue_start(product_id=drop.pk, now=start)
    place = queue_place(product_id=drop.pk, user=user, now=start + timedelta(seconds=2))
    with django_assert_num_queries(0):
        again = queue_place(product_id=drop.pk, user=user, token=place.token, now=start + timedelta(seconds=3))
    assert again.position == place.position


def test_a_refresh_with_the_token_costs_at_most_one_cache_read(drop, start, user):
    queue_join(product=drop, user=user, now=start - timedelta(minutes=1))
    queue_start(product_id=drop.pk, now=start)
    place = queue_place(product_id=drop.pk, user=user, now=start + timedelta(seconds=2))
    with CaptureQueriesContext(connection) as queries:
        queue_place(product_id=drop.pk, user=user, token=place.token, now=start + timedelta(seconds=3))
    # One read of the cache's own table without Redis, nothing with it; never a write, never the queue's rows.
    assert len(queries.captured_queries) <= 1
    assert all(
        query["sql"].startswith("SELECT") and "dwc_cache" in query["sql"] for query in queries.captured_queries
    )


def test_a_token_is_good_only_for_its_account_and_product(drop, start, user):
    stranger = UserFactory()
    other = ProductFactory(sale_starts_at=start, queue_enabled=True)
    queue_join(product=drop, user=user, now=start + timedelta(seconds=1))
    token = queue_place(product_id=drop.pk, user=user, now=start + timedelta(seconds=2)).token
    # Replayed by another account, or for another product, the token is ignored: their own row decides.
    assert queue_place(product_id=drop.pk, user=stranger, token=token, now=start) is None
    assert queue_place(product_id=other.pk, user=user, token=token, now=start) is None
    forged = signing.dumps({"u": stranger.pk, "p": drop.pk, "s": 0, "a": start.timestamp()}, salt="not-ours")
    assert queue_place(product_id=drop.pk, user=stranger, token=forged, now=start) is None


def test_verified_buyers_behind_one_address_all_get_a_place(drop, start):
    """A mobile carrier puts thousands of buyers behind one address: the address never refuses anyone."""
    users, places = join_at(drop, start - timedelta(minutes=1), n=12, ip="10.1.1.1")
    assert [place.status for place in places] == ["waiting"] * 12
    assert QueueEntry.objects.filter(product=drop, ip="10.1.1.1").count() == 12


def test_an_unverified_account_cannot_join(drop, start):
    unverified = UserFactory(phone_verified=False)
    with pytest.raises(DomainError) as refused:
        queue_join(product=drop, user=unverified, now=start - timedelta(minutes=1))
    assert (refused.value.code, refused.value.status) == ("phone_not_verified", 403)
    assert not QueueEntry.objects.filter(product=drop).exists()


def test_orders_need_an_admission_while_the_queue_runs(drop, start, user, monkeypatch):
    items = [{"product": drop.pk, "size": "M", "quantity": 1}]
    queue_join(product=drop, user=user, now=start - timedelta(minutes=1))
    queue_start(product_id=drop.pk, now=start)
    slot = QueueEntry.objects.get(user=user).slot
    assert slot == 0
    with pytest.raises(DomainError) as refused:
        queue_admission_check(user=UserFactory(), items=_resolved(items), now=start + timedelta(seconds=1))
    assert (refused.value.code, refused.value.status) == ("queue_admission_required", 403)
    queue_admission_check(user=user, items=_resolved(items), now=start + timedelta(seconds=1))
    with pytest.raises(DomainError):
        queue_admission_check(user=user, items=_resolved(items), now=start + timedelta(minutes=11))


def test_order_place_checks_the_start_and_the_admission(drop, start, user, monkeypatch):
    items = [{"product": drop.pk, "size": "M", "quantity": 1}]
    with pytest.raises(DomainError) as refused:
        order_place(delivery_address="Москва", user=user, items=items)
    assert refused.value.code == "sale_not_started" and "начнутся" in refused.value.message
    queue_join(product=drop, user=user, now=start - timedelta(minutes=1))
    drop.__class__.objects.filter(pk=drop.pk).update(sale_starts_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as refused:
        order_place(delivery_address="Москва", user=UserFactory(), items=items)
    assert refused.value.code == "queue_admission_required"
    queue_place(product_id=drop.pk, user=user)  # the first reader after the start draws the places
    assert order_place(delivery_address="Москва", user=user, items=items).items.count() == 1


def test_without_a_queue_nobody_needs_a_place(start, user):
    product = ProductFactory(stock={"M": 5}, sale_starts_at=timezone.now() - timedelta(minutes=1))
    assert order_place(
        delivery_address="Москва", user=user, items=[{"product": product.pk, "size": "M", "quantity": 1}]
    )
    place = queue_join(product=product, user=user)
    assert place.status == "closed"


def _resolved(items):
    from catalog.selectors import items_resolve

    return items_resolve(items=items)


def test_the_schedule_is_cached_for_a_few_seconds(drop):
    services.queue_schedule(product_id=drop.pk)
    drop.__class__.objects.filter(pk=drop.pk).update(queue_rate=99)
    assert services.queue_schedule(product_id=drop.pk).rate == 3
