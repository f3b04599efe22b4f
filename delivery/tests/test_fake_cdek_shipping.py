"""The fake CDEK's orders, print forms and webhooks, through the shop's client over real HTTP."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pypdf
import pytest

from delivery.cdek import CdekClient, CdekUnavailable, request_error_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(fake_cdek):
    return CdekClient.from_settings()


def order_body(number="DWC-2026-000001", **changes):
    body = {
        "type": 1,
        "number": number,
        "tariff_code": 136,
        "delivery_point": "MSK65",
        "recipient": {"name": "Анна Петрова", "phones": [{"number": "+79161234567"}]},
        "from_location": {"code": 44},
        "packages": [
            {"number": "1", "weight": 600, "length": 30, "width": 20, "height": 10,
             "items": [{"name": "Худи", "ware_key": "HD-1-M", "payment": {"value": 0}, "cost": 4990.0,
                        "weight": 600, "amount": 1}]}
        ],
    }  # fmt: skip
    return {**body, **changes}


def test_an_order_is_accepted_then_registered_with_a_number(fake_cdek, client):
    fake_cdek.order_delay = 0.3
    answer = client.order_create(order_body())
    assert answer["requests"][0]["state"] == "ACCEPTED"
    uuid = answer["entity"]["uuid"]

    early = client.order_get(uuid)
    assert early["requests"][0]["state"] == "ACCEPTED" and "cdek_number" not in early["entity"]
    fake_cdek.order_delay = 0
    later = client.order_get(uuid)
    assert later["requests"][0]["state"] == "SUCCESSFUL"
    assert later["entity"]["cdek_number"].isdigit()
    assert later["entity"]["statuses"][0]["code"] == "CREATED"
    assert client.order_find("DWC-2026-000001")["entity"]["uuid"] == uuid
    assert client.order_find("DWC-2026-999999") is None


def test_an_order_cdek_cannot_take_is_invalid_with_its_errors(fake_cdek, client):
    fake_cdek.refuse_order("DWC-2026-000002", code="v2_recipient_phone_invalid")
    uuid = client.order_create(order_body("DWC-2026-000002"))["entity"]["uuid"]
    answer = client.order_get(uuid)
    assert answer["requests"][0]["state"] == "INVALID"
    assert request_error_codes(answer) == ["v2_recipient_phone_invalid"]

    bad = client.order_get(
        client.order_create(order_body("DWC-3", delivery_point="NOPE", packages=[]))["entity"]["uuid"]
    )
    assert set(request_error_codes(bad)) == {"v2_delivery_point_not_found", "v2_field_is_empty"}


def test_labels_and_waybills_are_real_pdfs_with_a_page_each(fake_cdek, client):
    uuids = [client.order_create(order_body(f"DWC-{n}"))["entity"]["uuid"] for n in range(3)]
    fake_cdek.print_delay = 0.2
    task = client.print_create("barcodes", order_uuids=uuids)
    assert client.print_get("barcodes", task)["statuses"][-1]["code"] == "PROCESSING"
    fake_cdek.print_delay = 0
    ready = client.print_get("barcodes", task)
    assert ready["statuses"][-1]["code"] == "READY"
    labels = pypdf.PdfReader(io.BytesIO(client.print_download(ready["url"])))
    waybill_task = client.print_create("orders", order_uuids=uuids[:2])
    waybills = pypdf.PdfReader(io.BytesIO(client.print_download(client.print_get("orders", waybill_task)["url"])))
    assert (len(labels.pages), len(waybills.pages)) == (3, 2)


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - the name BaseHTTPRequestHandler calls
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_status_changes_are_posted_to_the_one_subscription_of_their_type(fake_cdek, client):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client.webhook_subscribe(url="http://127.0.0.1:1/old")
        client.webhook_subscribe(url=f"http://127.0.0.1:{server.server_port}/hook")
        assert [hook["url"] for hook in client.webhooks()] == [f"http://127.0.0.1:{server.server_port}/hook"]
        uuid = client.order_create(order_body("DWC-7"))["entity"]["uuid"]
        fake_cdek.order_status("DWC-7", "DELIVERED")
    finally:
        server.shutdown()
    body = _Receiver.received[-1]
    assert body["type"] == "ORDER_STATUS" and body["uuid"] == uuid
    assert body["attributes"]["status_code"] == "DELIVERED" and body["attributes"]["number"] == "DWC-7"
    assert client.order_get(uuid)["entity"]["statuses"][0]["code"] == "DELIVERED"


def test_faults_of_one_call(fake_cdek, client):
    fake_cdek.faults["POST /v2/orders"] = 500
    with pytest.raises(CdekUnavailable):
        client.order_create(order_body())
    fake_cdek.faults["POST /v2/orders"] = "hang"
    with pytest.raises(CdekUnavailable):
        client.order_create(order_body())
    assert client.webhooks() == []  # other calls still answer
