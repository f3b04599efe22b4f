"""Labels, waybills and packing slips, over real HTTP against the fake CDEK."""

import io

import pypdf
import pytest

from conftest import client_for
from fulfilment.errors import DocumentsUnavailable
from fulfilment.services import shipment_batch_create, shipment_batch_work, shipment_documents_pdf
from fulfilment.tests.factories import paid_order

pytestmark = pytest.mark.django_db


def registered(count: int):
    orders = [paid_order() for _ in range(count)]
    shipment_batch_work(batch_id=shipment_batch_create(orders=orders).pk)
    return orders


def pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_labels_and_waybills_of_fifty_orders_are_one_pdf(fake_cdek):
    orders = registered(50)
    fake_cdek.print_delay = 0.3  # CDEK takes a moment: the shop waits for READY
    pdf = shipment_documents_pdf(orders=orders)

    assert pdf.startswith(b"%PDF") and pages(pdf) == 100  # a label and a waybill per order
    (labels,) = [r.body for r in fake_cdek.api_requests("POST", "/v2/print/barcodes")]
    assert len(labels["orders"]) == 50 and labels["format"] == "A6"
    assert len(fake_cdek.api_requests("POST", "/v2/print/orders")) == 1
    assert len(fake_cdek.api_requests("GET")) > 2  # it asked for the state before downloading


def test_a_print_cdek_never_finishes_is_a_clear_refusal(fake_cdek, settings):
    orders = registered(1)
    settings.CDEK_PRINT_WAIT = 0.5
    fake_cdek.print_delay = 30
    with pytest.raises(DocumentsUnavailable):
        shipment_documents_pdf(orders=orders)


def test_label_through_the_api_and_the_admin(fake_cdek, staff_user, staff):
    (order,) = registered(1)
    answer = client_for(staff_user).get(f"/api/v1/orders/{order.order_number}/label/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert pages(answer.content) == 2

    not_sent = paid_order()
    refused = client_for(staff_user).get(f"/api/v1/orders/{not_sent.order_number}/label/")
    assert (refused.status_code, refused.json()["code"]) == (409, "shipment_missing")

    admin_pdf = staff.get(f"/admin/orders/order/{order.pk}/documents/")
    assert admin_pdf["Content-Type"] == "application/pdf" and pages(admin_pdf.content) == 2
    action = staff.post("/admin/orders/order/", {"action": "print_documents", "_selected_action": [order.pk]})
    assert pages(action.content) == 2


def test_packing_slip_in_russian_for_a4_and_the_label_printer(staff):
    order = paid_order(items=2)
    item = order.items.first()
    page = staff.get(f"/admin/orders/order/{order.pk}/packing-slip/").content.decode()
    assert f"Заказ {order.order_number}" in page and item.product.name in page
    assert "Пункт выдачи СДЭК MSK65" in page and "packing_slip_a4.css" in page
    label = staff.get(f"/admin/orders/order/{order.pk}/packing-slip/?format=label").content.decode()
    assert "packing_slip_label.css" in label
