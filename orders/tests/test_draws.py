"""Draws: entering with a hold, withdrawing, the draw that captures winners' holds into paid orders and releases
the rest, a failed capture passing the unit on, a draw interrupted and run again, and fairness anyone can check."""

import hashlib
import hmac
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import Product, ProductStock
from catalog.tests.factories import ProductFactory
from conftest import client_for
from drops.draws import draw_fix_order, draw_winners
from drops.models import Draw, DrawEntry
from drops.pausing import sale_pause
from orders import payments
from orders.models import Order, OrderStatus, PaymentStatus
from orders.services import draw_enter, draw_entry_refresh, draw_payment_apply, draw_run
from orders.tests.test_concurrency import run_together

pytestmark = pytest.mark.django_db

COURIER = {"delivery_method": "courier", "delivery_address": "Москва, ул. Тверская, 1", "city": "Москва"}


def draw_product(stock=None, **fields):
    now = timezone.now()
    return ProductFactory(
        name="Кроссовки «Лотерея»",
        price=Decimal("12990.00"),
        stock=stock or {"M": 2, "L": 1},
        sale_mode=Product.SaleMode.DRAW,
        draw_opens_at=now - timedelta(hours=1),
        draw_closes_at=now + timedelta(hours=1),
        **fields,
    )


def url(product, tail=""):
    return f"/api/v1/products/{product.pk}/draw/{tail}"


def held(fake, entry):
    """The buyer pays on YooKassa's page: the money is held (the notification is read back as the page does)."""
    fake.set_status(entry.payment_id, "waiting_for_capture")
    return draw_entry_refresh(entry=DrawEntry.objects.get(pk=entry.pk))


def enter_many(fake, product, sizes):
    entries = []
    for size in sizes:
        entry = draw_enter(product=product, user=UserFactory(), size=size, **COURIER)
        entries.append(held(fake, entry))
    return entries


def close(product):
    Product.objects.filter(pk=product.pk).update(draw_closes_at=timezone.now() - timedelta(seconds=1))


def recompute(public: dict) -> set[int]:
    """The winners from the published data alone, as the fairness page tells anyone to do it."""
    assert hashlib.sha256(public["seed"].encode()).hexdigest() == public["seed_hash"]

    def key(entry_id):
        return hmac.new(public["seed"].encode(), str(entry_id).encode(), hashlib.sha256).hexdigest()

    left, winners = dict(public["units"]), set()
    for entry in sorted(public["entries"], key=lambda e: (key(e["id"]), e["id"])):
        if entry["id"] not in public["passed_on"] and left.get(entry["size"], 0) > 0:
            left[entry["size"]] -= 1
            winners.add(entry["id"])
    return winners


# --- Entering -----------------------------------------------------------------------------------------------------
def test_an_entry_holds_the_payment_and_is_entered_once_held(fake_yookassa, user):
    product = draw_product()
    client = client_for(user)
    before = client.get(url(product)).json()
    assert before["status"] is None and before["phase"] == "open" and len(before["seed_hash"]) == 64
    assert before["seed"] is None
    response = client.post(url(product), {"size": "m", **COURIER}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["size"]) == ("pending", "M") and body["payment_url"].startswith(fake_yookassa.url)
    created = fake_yookassa.api_requests("POST", "/payments")[0].body
    assert created["capture"] is False and created["metadata"]["draw_entry"] == str(DrawEntry.objects.get().pk)
    assert created["amount"]["value"] == "12990.00"  # delivery is free in the test settings
    fake_yookassa.set_status(DrawEntry.objects.get().payment_id, "waiting_for_capture")
    after = client.get(url(product)).json()
    assert after["status"] == "entered" and after["payment_url"] == ""
    assert DrawEntry.objects.get().hold_expires_at is not None


def test_the_notification_of_a_hold_enters_the_entry(fake_yookassa_live, user):
    product = draw_product()
    entry = draw_enter(product=product, user=user, size="L", **COURIER)
    assert fake_yookassa_live.hold(entry.payment_id) == 200
    assert DrawEntry.objects.get(pk=entry.pk).status == "entered"


def test_refusals_say_why(fake_yookassa, user):
    product = draw_product()
    client = client_for(user)
    assert client.post(url(product), {"size": "XXL", **COURIER}, format="json").status_code == 400
    assert client.post(url(product), {"size": "M", **COURIER}, format="json").status_code == 201
    again = client.post(url(product), {"size": "L", **COURIER}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "draw_already_entered")
    stranger = UserFactory(phone_verified=False)
    refused = client_for(stranger).post(url(product), {"size": "M", **COURIER}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "phone_not_verified")
    sale_pause(product_id=product.pk)
    paused = client_for(UserFactory()).post(url(product), {"size": "M", **COURIER}, format="json")
    assert (paused.status_code, paused.json()["code"]) == (409, "sale_paused")
    later = draw_product(article="LATER-1")
    Product.objects.filter(pk=later.pk).update(draw_opens_at=timezone.now() + timedelta(hours=1),
                                               draw_closes_at=timezone.now() + timedelta(hours=2))  # fmt: skip
    early = client.post(url(later), {"size": "M", **COURIER}, format="json")
    assert (early.status_code, early.json()["code"]) == (409, "draw_not_open")
    assert client.post(url(ProductFactory()), {"size": "M"}, format="json").status_code == 404
    # Nobody buys a draw's product first come.
    order = client.post(
        "/api/v1/orders/",
        {"items": [{"product": later.pk, "size": "M", "quantity": 1}], **COURIER},
        format="json",
    )
    assert (order.status_code, order.json()["code"]) == (409, "sale_by_draw")


def test_withdrawing_releases_the_hold_and_the_buyer_may_enter_again(fake_yookassa, user):
    product = draw_product()
    client = client_for(user)
    client.post(url(product), {"size": "M", **COURIER}, format="json")
    entry = held(fake_yookassa, DrawEntry.objects.get())
    response = client.delete(url(product))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert fake_yookassa.payment(entry.payment_id)["status"] == "canceled"
    assert client.post(url(product), {"size": "L", **COURIER}, format="json").status_code == 201
    assert DrawEntry.objects.filter(user=user).count() == 2


# --- The draw -------------------------------------------------------------------------------------------------------
def test_the_draw_captures_winners_into_paid_orders_and_releases_the_rest(
    fake_yookassa, sms_outbox, api_client, django_capture_on_commit_callbacks
):
    product = draw_product(stock={"M": 2, "L": 1})
    entries = enter_many(fake_yookassa, product, ["M", "M", "M", "L", "L"])
    assert draw_run(product_id=product.pk).busy  # entries still open: nothing happens
    close(product)
    with django_capture_on_commit_callbacks(execute=True):
        report = draw_run(product_id=product.pk)
    assert (report.won, report.lost, report.finished) == (3, 2, True)
    statuses = Counter(DrawEntry.objects.values_list("status", flat=True))
    assert statuses == {"won": 3, "lost": 2}
    for entry in DrawEntry.objects.filter(status="won"):
        order = Order.objects.get(order_number=entry.order_number)
        assert (order.status, order.payment_status, order.payment_id) == ("paid", "succeeded", entry.payment_id)
        assert order.delivery_method == "courier" and order.delivery_address == COURIER["delivery_address"]
        assert [i.size for i in order.items.all()] == [entry.size]
        assert list(order.events.values_list("status", flat=True)[:2]) == ["pending", "paid"]
        capture = fake_yookassa.api_requests("POST", f"/payments/{entry.payment_id}/capture")[0].body
        # One SMS tells the winner they won and that the order is paid; one timeline entry says so.
        assert sum(order.order_number in m.text for m in sms_outbox) == 1
        assert order.events.filter(message__startswith="Выигрыш").count() == 1
        assert capture["receipt"]["items"] and capture["amount"]["value"] == f"{order.final_amount:.2f}"
    for entry in DrawEntry.objects.filter(status="lost"):
        assert fake_yookassa.payment(entry.payment_id)["status"] == "canceled"
    assert dict(ProductStock.objects.filter(product=product).values_list("size", "quantity")) == {"M": 0, "L": 0}
    assert sorted(m.phone for m in sms_outbox if "розыгрыш" in m.text) == sorted(e.phone for e in entries)
    # Fairness: the seed is out, and the winners follow from the published data alone.
    public = api_client.get(url(product, "results/")).json()
    assert recompute(public) == set(DrawEntry.objects.filter(status="won").values_list("pk", flat=True))
    # The shop's own statement of the rule says the same.
    entries = {entry["id"]: entry["size"] for entry in public["entries"]}
    assert draw_winners(
        seed=public["seed"], entries=entries, units=public["units"], passed_on=public["passed_on"]
    ) == recompute(public)
    assert api_client.get(url(product)).json()["seed"] == public["seed"]
    assert draw_run(product_id=product.pk).finished  # again: nothing moves


def test_a_failed_capture_passes_the_unit_to_the_next_entry(fake_yookassa, api_client):
    product = draw_product(stock={"M": 1})
    enter_many(fake_yookassa, product, ["M", "M", "M"])
    close(product)
    # Fix the order first to know who comes first, then let that winner's hold lapse.
    draw_fix_order(product_id=product.pk)
    first, second, third = DrawEntry.objects.order_by("rank")
    fake_yookassa.expire(first.payment_id)
    draw_run(product_id=product.pk)
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.status, first.passed_on, first.order_number) != ("won", False, "")
    assert (first.status, first.passed_on) == ("lost", True)
    assert (second.status, third.status) == ("won", "lost")
    cancelled = Order.objects.get(user=first.user)
    assert (cancelled.status, cancelled.payment_status) == (OrderStatus.CANCELLED, PaymentStatus.CANCELED)
    assert ProductStock.objects.get(product=product, size="M").quantity == 0
    public = api_client.get(url(product, "results/")).json()
    assert public["passed_on"] == [first.pk] and recompute(public) == {second.pk}


def test_pending_entries_take_no_part_and_a_late_hold_is_released(fake_yookassa):
    product = draw_product(stock={"M": 5})
    (entered,) = enter_many(fake_yookassa, product, ["M"])
    late = draw_enter(product=product, user=UserFactory(), size="M", **COURIER)
    close(product)
    draw_run(product_id=product.pk)
    assert DrawEntry.objects.get(pk=late.pk).status == "cancelled"
    fake_yookassa.set_status(late.payment_id, "waiting_for_capture")  # pays after the close
    draw_payment_apply(payment=payments.payment_find(late.payment_id))  # the notification, read back
    assert fake_yookassa.payment(late.payment_id)["status"] == "canceled"
    assert DrawEntry.objects.get(pk=entered.pk).status == "won"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_hundred_entries_for_twenty_units_interrupted_and_run_again(fake_yookassa, sms_outbox, monkeypatch):
    product = draw_product(stock={"S": 5, "M": 10, "L": 5})
    sizes = ["S"] * 50 + ["M"] * 100 + ["L"] * 50
    entries = enter_many(fake_yookassa, product, sizes)
    close(product)
    # A first runner stops after 8 entries; a second dies halfway through its second winner (the order placed,
    # the capture never answered); a third, after the dead runner's lease lapsed, finishes.
    first_run = draw_run(product_id=product.pk, stop_after=8)
    assert not first_run.finished and first_run.won + first_run.lost == 8 and first_run.won < 19, first_run
    real_capture, calls = payments.hold_capture, []

    def dying_capture(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is killed mid-call
        return real_capture(**kwargs)

    monkeypatch.setattr("orders.services.draws.payments.hold_capture", dying_capture)
    Draw.objects.filter(pk=product.pk).update(runner_until=None)
    with pytest.raises(KeyboardInterrupt):
        draw_run(product_id=product.pk)
    assert DrawEntry.objects.filter(status="winning").count() == 1
    assert draw_run(product_id=product.pk).busy  # the dead runner's lease holds for a while
    Draw.objects.filter(pk=product.pk).update(runner_until=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr("orders.services.draws.payments.hold_capture", real_capture)
    assert draw_run(product_id=product.pk).finished

    fake_yookassa.notifications_wait()
    held_payments = [fake_yookassa.payment(e.payment_id)["status"] for e in entries]
    assert Counter(held_payments) == {"succeeded": 20, "canceled": 180}
    assert Counter(DrawEntry.objects.values_list("status", flat=True)) == {"won": 20, "lost": 180}
    assert Counter(DrawEntry.objects.filter(status="won").values_list("size", flat=True)) == {
        "S": 5,
        "M": 10,
        "L": 5,
    }
    # No entry moved twice: one order per winner, one capture and one SMS per entry.
    assert Order.objects.count() == 20 and Order.objects.filter(status="paid").count() == 20
    captures = Counter(r.path for r in fake_yookassa.api_requests("POST") if r.path.endswith("/capture"))
    assert len(captures) == 20
    draw_sms = Counter(m.phone for m in sms_outbox if "розыгрыш" in m.text)
    assert len(draw_sms) == 200 and set(draw_sms.values()) == {1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_entry_per_buyer_under_concurrent_entries(fake_yookassa):
    product = draw_product()
    buyer = UserFactory()
    results = run_together(
        [lambda: draw_enter(product=product, user=buyer, size="M", **COURIER) for _ in range(8)]
    )
    assert len({r.pk for r in results if isinstance(r, DrawEntry)}) == 1  # repeats get the one entry back
    refused = [r for r in results if not isinstance(r, DrawEntry)]
    assert all(getattr(r, "code", None) == "draw_already_entered" for r in refused), refused
    assert DrawEntry.objects.filter(draw_id=product.pk).exclude(status="cancelled").count() == 1
    assert DrawEntry.objects.filter(draw_id=product.pk, phone=buyer.phone).count() == 1


def test_one_live_entry_per_phone_is_the_database_s_rule(fake_yookassa):
    product = draw_product()
    entry = draw_enter(product=product, user=UserFactory(phone="+79161112233"), size="M", **COURIER)
    other = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DrawEntry.objects.create(
            draw=entry.draw, user=other, phone=entry.phone, size="M", delivery_method="courier", price=1,
            delivery_amount=0, amount=1,
        )  # fmt: skip


def test_staff_see_the_hold_warning_and_press_run_the_draw(staff, fake_yookassa):
    product = draw_product(stock={"M": 1})
    enter_many(fake_yookassa, product, ["M", "M"])
    Product.objects.filter(pk=product.pk).update(draw_closes_at=timezone.now() + timedelta(days=8))
    page = staff.get("/admin/drops/draw/").content.decode()
    assert "заморозка истечёт раньше розыгрыша" in page
    response = staff.post(
        "/admin/drops/draw/", {"action": "run_now", "_selected_action": [product.pk]}, follow=True
    )
    assert "розыгрыш проведён, выиграли 1, не выиграли 1" in response.content.decode()
    csv = staff.post("/admin/drops/draw/", {"action": "export_csv", "_selected_action": [product.pk]})
    assert "выиграла" in csv.content.decode()


def test_the_scheduler_loop_runs_a_draw_once_its_entries_close(fake_yookassa):
    product = draw_product(stock={"M": 1})
    enter_many(fake_yookassa, product, ["M"])
    call_command("expire_unpaid_orders")
    assert Draw.objects.get(pk=product.pk).finished_at is None  # still open
    close(product)
    call_command("expire_unpaid_orders")
    assert Draw.objects.get(pk=product.pk).finished_at is not None
    assert DrawEntry.objects.get().status == "won"


def test_the_first_reader_after_the_close_queues_the_draw_once(
    fake_yookassa, api_client, django_capture_on_commit_callbacks
):
    product = draw_product(stock={"M": 1})
    enter_many(fake_yookassa, product, ["M"])
    close(product)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        api_client.get(url(product))
        api_client.get(url(product))  # a second reader within the minute queues nothing more
    assert len([call for call in queued if "draw_run_enqueue" in getattr(call, "__qualname__", "")]) == 1
    assert Draw.objects.get(pk=product.pk).finished_at is not None  # the worker (immediate in tests) ran it
    assert api_client.get(url(product)).json()["phase"] == "done"


def test_a_winner_pays_the_price_held_at_entry_even_when_staff_change_it(fake_yookassa):
    product = draw_product(stock={"M": 1})
    [entry] = enter_many(fake_yookassa, product, ["M"])
    Product.objects.filter(pk=product.pk).update(price=Decimal("14990.00"))  # raised after the entry
    close(product)
    assert draw_run(product_id=product.pk).won == 1
    entry.refresh_from_db()
    order = Order.objects.get(order_number=entry.order_number)
    assert (order.status, order.final_amount) == ("paid", entry.amount)
    assert order.items.get().price == Decimal("12990.00")
    assert Product.objects.get(pk=product.pk).price == Decimal("14990.00")  # the product itself keeps its price


def test_a_hold_whose_notification_was_lost_still_takes_part(fake_yookassa):
    product = draw_product(stock={"M": 1})
    entry = draw_enter(product=product, user=UserFactory(), size="M", **COURIER)
    fake_yookassa.set_status(entry.payment_id, "waiting_for_capture")  # held at YooKassa; the shop never heard
    close(product)
    assert draw_run(product_id=product.pk).won == 1  # read back before the order is fixed, and it wins
    entry.refresh_from_db()
    assert entry.status == "won"


def test_a_won_orders_refund_completes_by_its_notification(fake_yookassa, staff_user):
    """The winner's payment is the draw's hold (it names the entry, not the order): a refund YooKassa confirms
    later is still applied to the order."""
    from orders.models import OrderRefund, RefundStatus
    from orders.services import order_refund, payment_notification_handle

    product = draw_product(stock={"M": 1})
    [entry] = enter_many(fake_yookassa, product, ["M"])
    close(product)
    draw_run(product_id=product.pk)
    entry.refresh_from_db()
    order = Order.objects.get(order_number=entry.order_number)
    fake_yookassa.refund_status = "pending"
    order_refund(order=order, items=[(order.items.get().pk, 1)], by=staff_user)
    [refund] = fake_yookassa.refunds.values()
    assert OrderRefund.objects.get().status == RefundStatus.PENDING

    refund["status"] = "succeeded"
    payment_notification_handle(data=fake_yookassa.notification(refund))
    assert OrderRefund.objects.get().status == RefundStatus.SUCCEEDED
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


def test_a_release_yookassa_did_not_answer_is_made_by_the_scheduler(fake_yookassa, user, settings):
    """Money held for a withdrawn entry never stays frozen until the bank lets it go."""
    from orders.services.draws import draws_run_due

    settings.YOOKASSA_BREAKER_FAILURES = 1000  # the breaker stays shut: this test is about the retry
    product = draw_product()
    client = client_for(user)
    client.post(url(product), {"size": "M", **COURIER}, format="json")
    entry = held(fake_yookassa, DrawEntry.objects.get())
    fake_yookassa.outage = 500
    assert client.delete(url(product)).json()["status"] == "cancelled"
    entry.refresh_from_db()
    assert entry.hold_released_at is None
    assert fake_yookassa.payment(entry.payment_id)["status"] == "waiting_for_capture"

    fake_yookassa.outage = None
    draws_run_due(now=timezone.now() + timedelta(minutes=2))
    entry.refresh_from_db()
    assert fake_yookassa.payment(entry.payment_id)["status"] == "canceled" and entry.hold_released_at
    cancels = len(fake_yookassa.api_requests("POST", f"/payments/{entry.payment_id}/cancel"))
    draws_run_due(now=timezone.now() + timedelta(minutes=4))
    assert len(fake_yookassa.api_requests("POST", f"/payments/{entry.payment_id}/cancel")) == cancels  # once
