"""CDEK's statuses: webhooks read back before acting, once under replays, and the reconciliation of lost ones.

The fake CDEK posts its webhooks over real HTTP to the shop under pytest-django's live server.
"""

import threading

import pytest
import requests
from django.core.management import call_command

from fulfilment.models import Shipment, ShipmentState
from fulfilment.services import shipment_register, shipments_reconcile, webhook_subscribe
from fulfilment.tests.factories import paid_order
from orders.models import OrderStatus

pytestmark = pytest.mark.django_db(transaction=True)
WEBHOOK = "/api/v1/delivery/cdek/webhook/"


@pytest.fixture
def subscribed(fake_cdek, live_server, settings):
    settings.SITE_URL = live_server.url
    settings.CDEK_TIMEOUT = 5  # the live server and the fake share the machine with the test
    call_command("cdek_subscribe")
    return live_server.url + WEBHOOK


@pytest.fixture
def registered(fake_cdek):
    order = paid_order()
    shipment = shipment_register(order=order)
    assert shipment.state == ShipmentState.REGISTERED
    return order


def test_subscription_is_made_once(fake_cdek, subscribed):
    assert [(h["url"], h["type"]) for h in fake_cdek.webhooks.values()] == [(subscribed, "ORDER_STATUS")]
    assert webhook_subscribe()[1] is False  # the same address: kept as it is
    assert len(fake_cdek.api_requests("POST", "/v2/webhooks")) == 1


def test_a_real_webhook_acts_once_under_replays(fake_cdek, subscribed, registered, sms_outbox):
    order = registered
    fake_cdek.order_status(order.order_number, "RECEIVED_AT_SHIPMENT_WAREHOUSE")
    order.refresh_from_db()
    shipment = Shipment.objects.get(order=order)
    assert order.status == OrderStatus.SHIPPED and order.tracking_number == shipment.cdek_number
    assert [m.text for m in sms_outbox if "в пути" in m.text] == [
        f"DWC Shop: заказ {order.order_number} в пути, трек-номер СДЭК {shipment.cdek_number}. "
        f"https://www.cdek.ru/ru/tracking?order_id={shipment.cdek_number}"
    ]

    body = fake_cdek.webhook_deliveries[-1]["body"]
    replays = [threading.Thread(target=requests.post, args=(subscribed,), kwargs={"json": body}) for _ in range(4)]
    for replay in replays:
        replay.start()
    for replay in replays:
        replay.join()
    assert order.events.filter(status=OrderStatus.SHIPPED).count() == 1
    assert len([m for m in sms_outbox if "в пути" in m.text]) == 1

    fake_cdek.order_status(order.order_number, "DELIVERED")
    fake_cdek.webhook_send(fake_cdek.order_by(order.order_number))  # CDEK sends it twice
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert order.events.filter(status=OrderStatus.DELIVERED).count() == 1
    assert [m.text for m in sms_outbox if "вручён" in m.text] == [
        f"DWC Shop: заказ {order.order_number} вручён. Вернуть товар можно в течение 7 дней."
    ]


def test_a_forged_webhook_changes_nothing(fake_cdek, subscribed, registered, sms_outbox):
    order = registered
    uuid = Shipment.objects.get(order=order).cdek_uuid
    forged = {
        "type": "ORDER_STATUS",
        "uuid": uuid,
        "attributes": {"code": "DELIVERED", "status_code": "DELIVERED"},
    }
    assert requests.post(subscribed, json=forged).status_code == 200
    unknown = {**forged, "uuid": "00000000-0000-0000-0000-000000000000"}
    assert requests.post(subscribed, json=unknown).status_code == 200
    assert (
        requests.post(subscribed, data="not json", headers={"Content-Type": "application/json"}).status_code == 400
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.PROCESSING and sms_outbox == []
    assert Shipment.objects.get(order=order).state == ShipmentState.REGISTERED


def test_cdek_silent_on_the_read_back_asks_for_the_webhook_again(fake_cdek, subscribed, registered):
    uuid = Shipment.objects.get(order=registered).cdek_uuid
    fake_cdek.faults["GET /v2/orders/"] = 500
    answer = requests.post(subscribed, json={"type": "ORDER_STATUS", "uuid": uuid})
    assert (answer.status_code, answer.json()["code"]) == (503, "cdek_unavailable")


def test_a_lost_webhook_is_caught_by_the_reconciliation(fake_cdek, registered, sms_outbox):
    order = registered
    fake_cdek.order_status(order.order_number, "RECEIVED_AT_SHIPMENT_WAREHOUSE", send=False)
    fake_cdek.order_status(order.order_number, "DELIVERED", send=False)

    first = shipments_reconcile()
    assert (first.checked, first.changed) == (1, 1)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.tracking_number
    assert [e.status for e in order.events.order_by("id")][-2:] == [OrderStatus.SHIPPED, OrderStatus.DELIVERED]
    assert shipments_reconcile().checked == 0  # a delivered parcel is not read again


def test_a_parcel_nobody_collected_comes_back(fake_cdek, registered, sms_outbox):
    order = registered
    fake_cdek.order_status(order.order_number, "NOT_DELIVERED", send=False)
    call_command("reconcile_shipments")
    order.refresh_from_db()
    assert Shipment.objects.get(order=order).state == ShipmentState.RETURNED
    assert order.status == OrderStatus.SHIPPED  # staff refund it when it is back
    assert order.events.filter(message__contains="возвращает посылку").count() == 1
    assert any("не был получен" in m.text for m in sms_outbox)


def test_a_silent_cdek_ends_the_round_at_once(fake_cdek):
    """Three moving parcels and a CDEK that fails: one call, not one per parcel (a hung CDEK would cost one
    timeout per parcel otherwise)."""
    for _ in range(3):
        assert shipment_register(order=paid_order()).state == ShipmentState.REGISTERED
    fake_cdek.outage = 500
    reads = len(fake_cdek.api_requests("GET"))
    result = shipments_reconcile()
    assert (result.checked, result.unavailable) == (1, 1)
    assert len(fake_cdek.api_requests("GET")) == reads + 1
    fake_cdek.outage = None
    assert shipments_reconcile().checked == 3  # the next round reads them all
