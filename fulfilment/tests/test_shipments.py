"""Registering paid orders at CDEK, over real HTTP against the fake CDEK."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from conftest import client_for
from fulfilment.models import Shipment, ShipmentBatch, ShipmentState
from fulfilment.services import (
    shipment_batch_create,
    shipment_batch_work,
    shipment_batches_stalled_claim,
    shipment_body,
    shipment_register,
)
from fulfilment.tests.factories import paid_order
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_the_body_names_tariff_recipient_point_package_and_items(settings):
    settings.CDEK_DEFAULT_BOX_CM = "30x20x5"
    boxed = ProductFactory(weight_grams=700, box_cm="40×30×8")
    order = paid_order(items=2)
    order.items.create(product=boxed, size="L", quantity=2, price=Decimal("5990.00"))
    body = shipment_body(order)

    assert body["number"] == order.order_number and body["tariff_code"] == 136
    assert body["delivery_point"] == "MSK65" and "to_location" not in body
    assert body["recipient"] == {"name": order.user.full_name, "phones": [{"number": order.user.phone}]}
    (package,) = body["packages"]
    assert package["weight"] == 400 + 400 + 700 * 2
    assert (package["length"], package["width"], package["height"]) == (40, 30, 5 + 5 + 8 * 2)
    assert [line["amount"] for line in package["items"]] == [1, 1, 2]
    assert package["items"][2]["cost"] == 5990.0 and package["items"][2]["payment"] == {"value": 0}


def test_a_courier_order_goes_to_its_address_by_the_door_tariff(fake_cdek):
    order = paid_order(
        delivery_method="courier", cdek_point="", delivery_address="Санкт-Петербург, Невский пр-т, 1"
    )
    body = shipment_body(order)
    assert body["tariff_code"] == 137 and "delivery_point" not in body
    assert body["to_location"] == {"address": "Санкт-Петербург, Невский пр-т, 1", "code": 137}


def test_a_courier_goes_to_the_city_the_order_names_and_was_priced_for(fake_cdek):
    order = paid_order(
        delivery_method="courier",
        cdek_point="",
        delivery_address="Владивосток, ул. Светланская, 1",
        delivery_city="Москва",
    )
    assert shipment_body(order)["to_location"] == {"address": "Владивосток, ул. Светланская, 1", "code": 44}


def test_fifty_paid_orders_are_registered_once_each_even_when_run_twice(fake_cdek):
    orders = [paid_order() for _ in range(50)]
    first = shipment_batch_work(batch_id=shipment_batch_create(orders=orders).pk)
    second = shipment_batch_work(batch_id=shipment_batch_create(orders=orders).pk)

    assert len(fake_cdek.api_requests("POST", "/v2/orders")) == 50
    assert {o.number for o in fake_cdek.orders.values()} == {o.order_number for o in orders}
    assert (first.processed, first.failed, second.processed, second.failed) == (50, 0, 50, 0)
    shipments = Shipment.objects.filter(order__in=orders)
    assert set(shipments.values_list("state", flat=True)) == {ShipmentState.REGISTERED}
    assert len(set(shipments.values_list("cdek_number", flat=True))) == 50
    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.PROCESSING
        assert order.events.filter(message__contains="передан в СДЭК").count() == 1


def test_an_invalid_answer_is_kept_and_shown_to_staff_in_russian(fake_cdek, staff):
    order = paid_order()
    fake_cdek.refuse_order(order.order_number, code="v2_recipient_phone_invalid")
    batch = shipment_batch_work(batch_id=shipment_batch_create(orders=[order]).pk)

    shipment = Shipment.objects.get(order=order)
    assert shipment.state == ShipmentState.INVALID
    assert shipment.errors[0]["code"] == "v2_recipient_phone_invalid"
    assert batch.failed == 1 and "Неверный телефон получателя" in batch.failures[0]["message"]
    page = staff.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert "Отклонён СДЭК: Неверный телефон получателя" in page
    batch_page = staff.get(f"/admin/fulfilment/shipmentbatch/{batch.pk}/change/").content.decode()
    assert "1 из 1, с ошибками 1" in batch_page and order.order_number in batch_page

    # Staff fix it; CDEK takes the order under the same number.
    assert shipment_register(order=order).state == ShipmentState.REGISTERED


def test_an_answer_lost_on_the_way_is_looked_up_instead_of_posted_again(fake_cdek):
    order = paid_order()
    # A caller posted the order and died before it wrote CDEK's answer down; its claim has lapsed.
    shipment = Shipment.objects.create(order=order, claimed_until=timezone.now() - timezone.timedelta(seconds=1))
    from delivery.cdek import CdekClient

    uuid = CdekClient.from_settings().order_create(shipment_body(order))["entity"]["uuid"]
    fake_cdek.requests.clear()

    shipment = shipment_register(order=order)
    assert (shipment.cdek_uuid, shipment.state) == (uuid, ShipmentState.REGISTERED)
    assert fake_cdek.api_requests("POST", "/v2/orders") == []
    assert fake_cdek.api_requests("GET", "/v2/orders")[0].query == {"im_number": order.order_number}


def test_a_silent_cdek_loses_nothing(fake_cdek):
    order = paid_order()
    fake_cdek.faults["POST /v2/orders"] = 500
    from fulfilment.errors import ShipmentUnavailable

    with pytest.raises(ShipmentUnavailable):
        shipment_register(order=order)
    fake_cdek.faults.clear()
    assert shipment_register(order=order).state == ShipmentState.REGISTERED
    assert len(fake_cdek.orders) == 1


def test_api_registers_a_paid_order_once_and_refuses_unpaid(fake_cdek, staff_user, user):
    order = paid_order()
    api = client_for(staff_user)
    answer = api.post(f"/api/v1/orders/{order.order_number}/shipment/")
    assert answer.status_code == 200, answer.content
    assert answer.json()["cdek_number"] and answer.json()["shipment_state"] == "registered"
    assert answer.json()["status"] == "processing"

    again = api.post(f"/api/v1/orders/{order.order_number}/shipment/")
    assert (again.status_code, again.json()["code"]) == (409, "shipment_exists")
    unpaid = OrderFactory()
    refused = api.post(f"/api/v1/orders/{unpaid.order_number}/shipment/")
    assert (refused.status_code, refused.json()["code"]) == (409, "order_not_paid")
    assert client_for(user).post(f"/api/v1/orders/{order.order_number}/shipment/").status_code == 403
    assert len(fake_cdek.api_requests("POST", "/v2/orders")) == 1


def test_admin_bulk_action_and_the_order_button(fake_cdek, staff, django_capture_on_commit_callbacks):
    orders = [paid_order() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        answer = staff.post(
            "/admin/orders/order/",
            {"action": "hand_to_cdek", "_selected_action": [o.pk for o in orders[:2]]},
        )
    assert answer.status_code == 302 and "/admin/fulfilment/shipmentbatch/" in answer["Location"]
    page = staff.get(answer["Location"]).content.decode()
    assert "2 из 2, с ошибками 0" in page

    page = staff.get(f"/admin/orders/order/{orders[2].pk}/change/").content.decode()
    assert "Передать в СДЭК" in page and "Ярлык и накладная" not in page
    button = staff.post(f"/admin/orders/order/{orders[2].pk}/cdek/")
    assert button.status_code == 302
    assert Shipment.objects.filter(state=ShipmentState.REGISTERED).count() == 3
    page = staff.get(f"/admin/orders/order/{orders[2].pk}/change/").content.decode()
    assert "Передать в СДЭК</button>" not in page and "Ярлык и накладная (PDF)" in page
    assert staff.get("/admin/orders/order/not-a-number/change/").status_code == 302  # the admin's «not found»


def test_the_whole_wave_from_its_page(fake_cdek, staff, django_capture_on_commit_callbacks):
    from preorders.tests.factories import PreorderWaveFactory

    wave = PreorderWaveFactory()
    in_wave = [paid_order(product=wave.product) for _ in range(3)]
    for order in in_wave:
        order.items.update(preorder_wave=wave, is_preorder=True)
    unpaid = OrderFactory()
    unpaid.items.create(
        product=wave.product, size="M", quantity=1, price=Decimal("100.00"), preorder_wave=wave, is_preorder=True
    )
    paid_order()  # another order, not in the wave

    with django_capture_on_commit_callbacks(execute=True):
        answer = staff.post(f"/admin/preorders/preorderwave/{wave.pk}/cdek/")
    assert answer.status_code == 302
    assert set(Shipment.objects.values_list("order_id", flat=True)) == {o.pk for o in in_wave}
    assert (
        "Передать волну в СДЭК" in staff.get(f"/admin/preorders/preorderwave/{wave.pk}/change/").content.decode()
    )


def test_a_batch_whose_worker_died_is_started_again_and_sends_nothing_twice(fake_cdek, staff):
    orders = [paid_order() for _ in range(3)]
    batch = shipment_batch_create(orders=orders)
    shipment_register(order=orders[0])  # the worker got this far, then died
    stopped_at = timezone.now() - ShipmentBatch.STALL_AFTER - timedelta(seconds=1)
    ShipmentBatch.objects.filter(pk=batch.pk).update(processed=1, progress_at=stopped_at)
    moving = shipment_batch_create(orders=[paid_order()])  # queued a moment ago: left alone

    page = staff.get(f"/admin/fulfilment/shipmentbatch/{batch.pk}/change/").content.decode()
    assert "Передача не движется с" in page and "Остановилась, будет запущена снова" in page
    assert '<div class="readonly">—</div>' in page  # nobody started it: an empty value is a dash
    out = StringIO()
    call_command("reconcile_shipments", stdout=out)

    assert "Started again 1 bulk hand-over(s)" in out.getvalue()
    batch.refresh_from_db()
    assert (batch.state, batch.processed, batch.failed) == (ShipmentBatch.State.DONE, 3, 0)
    assert len(fake_cdek.api_requests("POST", "/v2/orders")) == 3  # the first order was not sent again
    assert ShipmentBatch.objects.get(pk=moving.pk).state == ShipmentBatch.State.RUNNING
    page = staff.get(f"/admin/fulfilment/shipmentbatch/{batch.pk}/change/").content.decode()
    assert "Передача не движется" not in page and "3 из 3, с ошибками 0" in page


def test_a_stalled_batch_is_claimed_by_one_caller():
    batch = shipment_batch_create(orders=[paid_order()])
    later = timezone.now() + ShipmentBatch.STALL_AFTER + timedelta(seconds=1)
    assert shipment_batches_stalled_claim(now=later) == [batch.pk]
    assert shipment_batches_stalled_claim(now=later) == []


def test_a_claim_outlasts_every_call_it_may_wait_on(settings):
    """With a slow CDEK allowed 10 s a call, no second caller may take the order over (and post it again)
    while the first still waits for its answers."""
    from fulfilment.services.shipments import CALLS_PER_REGISTRATION, _shipment_claim

    settings.CDEK_TIMEOUT = 10
    shipment, mode = _shipment_claim(order=paid_order())
    assert mode == "new"
    assert shipment.claimed_until - timezone.now() > timedelta(seconds=CALLS_PER_REGISTRATION * 10)
