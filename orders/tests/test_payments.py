"""Creating, retrying and refunding YooKassa payments, over real HTTP against the fake with the real SDK."""

import threading
import uuid
from decimal import Decimal

import pytest

from catalog.tests.factories import ProductFactory
from orders import payments
from orders.models import Order, OrderItem, OrderStatus, PaymentStatus
from orders.payments import (
    OrderAlreadyPaid,
    OrderNotPayable,
    OrderNotRefundable,
    PaymentUnavailable,
    receipt_items,
)
from orders.services import (
    order_payment_apply,
    order_payment_retry,
    order_payment_start,
    order_place,
    order_refund,
)
from orders.tests.factories import OrderFactory, OrderItemFactory, order_discount_spread

pytestmark = pytest.mark.django_db


def make_order(lines=((Decimal("1000.00"), 2), (Decimal("500.00"), 1)), discount=Decimal("0.00"), **fields):
    total = sum((price * quantity for price, quantity in lines), Decimal("0"))
    order = OrderFactory(total_amount=total, discount_amount=discount, **fields)
    for price, quantity in lines:
        OrderItemFactory(order=order, price=price, quantity=quantity, product=ProductFactory(price=price))
    return order_discount_spread(order)


def receipt_sum(items):
    return sum((Decimal(item["amount"]["value"]) * Decimal(str(item["quantity"])) for item in items), Decimal("0"))


def created(fake):
    return fake.api_requests("POST", "/payments")


# --- The request ----------------------------------------------------------------------------------------------------
def test_payment_request_body_and_headers(fake_yookassa, settings):
    settings.SITE_URL = "https://shop.example"
    settings.YOOKASSA_VAT_CODE = 4
    order = make_order(discount=Decimal("100.00"))
    order_payment_start(order_id=order.pk)

    [request] = created(fake_yookassa)
    assert request.headers["Idempotence-Key"] == str(order.payment_idempotence_key)
    assert request.headers["Authorization"].startswith("Basic ")
    body = request.body
    assert body["amount"] == {"value": "2400.00", "currency": "RUB"}
    assert body["capture"] is True
    assert body["confirmation"] == {
        "type": "redirect",
        "return_url": f"https://shop.example/orders/{order.order_number}/",
    }
    assert body["metadata"]["order_number"] == order.order_number
    assert order.order_number in body["description"]
    receipt = body["receipt"]
    assert receipt["customer"] == {"phone": order.user.phone.lstrip("+")}
    assert {item["vat_code"] for item in receipt["items"]} == {4}
    assert {item["payment_subject"] for item in receipt["items"]} == {"commodity"}
    assert {item["payment_mode"] for item in receipt["items"]} == {"full_prepayment"}
    assert receipt_sum(receipt["items"]) == Decimal("2400.00")

    order.refresh_from_db()
    payment = fake_yookassa.payment(order.payment_id)
    assert order.payment_url == payment["confirmation"]["confirmation_url"]
    assert order.status == OrderStatus.PENDING and order.payment_status == PaymentStatus.PENDING


def test_starting_twice_creates_one_payment(fake_yookassa):
    order = make_order()
    order_payment_start(order_id=order.pk)
    order_payment_start(order_id=order.pk)
    assert len(fake_yookassa.payments) == 1
    assert len(created(fake_yookassa)) == 1


def test_nothing_is_created_for_an_order_that_is_not_pending(fake_yookassa):
    order = make_order(status=OrderStatus.CANCELLED)
    order_payment_start(order_id=order.pk)
    assert fake_yookassa.requests == []


def test_placing_an_order_creates_its_payment_after_commit(
    fake_yookassa, user, django_capture_on_commit_callbacks
):
    product = ProductFactory(price=Decimal("1990.00"), stock={"M": 5})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": product, "size": "M", "quantity": 2}],
        )
    assert fake_yookassa.requests == []  # nothing leaves before the order is committed
    for callback in callbacks:
        callback()
    order.refresh_from_db()
    assert order.payment_id and order.payment_url
    [request] = created(fake_yookassa)
    assert request.body["amount"]["value"] == "3980.00"
    assert request.body["receipt"]["items"] == [
        {
            "description": f"{product.name}, размер M",
            "quantity": "2.0",
            "amount": {"value": "1990.00", "currency": "RUB"},
            "vat_code": 11,  # VAT 22 %, the default from 2026
            "payment_subject": "commodity",
            "payment_mode": "full_prepayment",
        }
    ]
    assert request.body["receipt"]["tax_system_code"] == 1


# --- The receipt ----------------------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_api_answers_a_placed_order_with_its_payment_link(fake_yookassa, user_client):
    """Outside a test transaction, as in production: the payment is created on commit, before the answer."""
    product = ProductFactory(stock={"M": 3})
    response = user_client.post(
        "/api/v1/orders/",
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": product.pk, "size": "M", "quantity": 1}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    payment = Order.objects.get(order_number=response.json()["order_number"]).payment_id
    assert (
        payment
        and response.json()["payment_url"] == fake_yookassa.payments[payment]["confirmation"]["confirmation_url"]
    )


@pytest.mark.parametrize(
    ("lines", "discount"),
    [
        (((Decimal("1000.00"), 1),), Decimal("0.00")),
        (((Decimal("1000.00"), 3), (Decimal("333.33"), 1), (Decimal("0.01"), 7)), Decimal("10.00")),
        (((Decimal("999.99"), 3), (Decimal("100.00"), 2)), Decimal("0.01")),
        (((Decimal("2490.00"), 2), (Decimal("1490.00"), 1)), Decimal("647.00")),
        (((Decimal("100.00"), 1), (Decimal("100.00"), 1), (Decimal("100.00"), 1)), Decimal("100.00")),
        (((Decimal("500.00"), 4),), Decimal("2000.00") - Decimal("0.01")),
    ],
)
def test_receipt_items_add_up_to_the_final_amount_exactly(lines, discount):
    order = make_order(lines=lines, discount=discount)
    items = receipt_items(order=order)
    assert receipt_sum(items) == order.final_amount
    assert all(Decimal(item["amount"]["value"]) >= 0 for item in items)
    assert sum(item["quantity"] for item in items) == sum(quantity for _, quantity in lines)
    assert receipt_items(order=order) == items  # deterministic


def test_receipt_spreads_the_discount_in_proportion_with_remainders_to_earlier_lines():
    order = make_order(lines=[(Decimal("100.00"), 1)] * 3, discount=Decimal("100.00"))
    assert [item["amount"]["value"] for item in receipt_items(order=order)] == ["66.66", "66.67", "66.67"]


def test_receipt_splits_a_line_whose_sum_does_not_divide_by_its_quantity():
    order = make_order(lines=[(Decimal("100.00"), 3)], discount=Decimal("0.01"))
    items = receipt_items(order=order)
    assert [(item["quantity"], item["amount"]["value"]) for item in items] == [(2, "99.99"), (1, "100.01")]
    assert receipt_sum(items) == Decimal("299.99")


def test_receipt_reads_each_lines_stored_sum_after_the_discount():
    order = make_order(lines=[(Decimal("1000.00"), 1), (Decimal("500.00"), 1)], discount=Decimal("50.00"))
    first, second = order.items.order_by("id")
    # A restricted code's discount is all on its product's line, as placing stored it.
    OrderItem.objects.filter(pk=first.pk).update(discount_amount=0, final_amount=Decimal("1000.00"))
    OrderItem.objects.filter(pk=second.pk).update(discount_amount=Decimal("50.00"), final_amount=Decimal("450.00"))
    values = [item["amount"]["value"] for item in receipt_items(order=order)]
    assert values == ["1000.00", "450.00"]


# --- YooKassa down, and pay/ --------------------------------------------------------------------------------------
def test_yookassa_down_leaves_the_order_pending_and_retry_completes_it(fake_yookassa, caplog):
    order = make_order()
    fake_yookassa.outage = 503
    order_payment_start(order_id=order.pk)  # no exception reaches the caller
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.payment_id == ""
    assert "could not be created" in caplog.text

    with pytest.raises(PaymentUnavailable):
        order_payment_retry(order=order)

    fake_yookassa.outage = None
    url = order_payment_retry(order=order)
    order.refresh_from_db()
    assert url == order.payment_url == fake_yookassa.payment(order.payment_id)["confirmation"]["confirmation_url"]
    keys = {request.headers["Idempotence-Key"] for request in created(fake_yookassa)}
    assert keys == {str(order.payment_idempotence_key)}


def test_unreachable_yookassa_leaves_the_order_pending(fake_yookassa, settings):
    order = make_order()
    settings.YOOKASSA_API_URL = "http://127.0.0.1:9/v3"  # the discard port: nobody listens
    order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.payment_id == ""


def test_a_timeout_never_doubles_the_payment(fake_yookassa, settings):
    """The answer is lost but YooKassa created the payment: pay/ finds it again with the same key."""
    settings.YOOKASSA_TIMEOUT = 0.3
    order = make_order()
    fake_yookassa.stall = threading.Event()
    order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    assert order.payment_id == ""
    fake_yookassa.stall.set()  # the stalled call now completes on the fake's side
    fake_yookassa.stall = None

    url = order_payment_retry(order=order)
    order.refresh_from_db()
    assert len(fake_yookassa.payments) == 1
    assert url == fake_yookassa.payment(order.payment_id)["confirmation"]["confirmation_url"]


def test_retry_of_a_pending_payment_returns_its_url(fake_yookassa):
    order = make_order()
    order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    assert order_payment_retry(order=order) == order.payment_url
    assert len(created(fake_yookassa)) == 1


def test_retry_after_a_canceled_payment_creates_a_new_one_with_a_derived_key(fake_yookassa):
    order = make_order()
    order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    first = order.payment_id
    fake_yookassa.set_status(first, "canceled")

    url = order_payment_retry(order=order)
    order.refresh_from_db()
    assert order.payment_id != first and url == order.payment_url
    assert order.status == OrderStatus.PENDING
    keys = [request.headers["Idempotence-Key"] for request in created(fake_yookassa)]
    assert keys == [
        str(order.payment_idempotence_key),
        str(uuid.uuid5(order.payment_idempotence_key, f"after:{first}")),
    ]

    # Asking again while the new payment is pending gives the same payment.
    assert order_payment_retry(order=order) == url
    assert len(fake_yookassa.payments) == 2


def test_retry_of_a_payment_that_went_through_marks_the_order_paid(fake_yookassa, sms_outbox):
    order = make_order()
    order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    fake_yookassa.set_status(order.payment_id, "succeeded")  # the notification never arrived
    with pytest.raises(OrderAlreadyPaid):
        order_payment_retry(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.payment_status == PaymentStatus.SUCCEEDED


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (OrderStatus.CANCELLED, "order_not_payable"),
        (OrderStatus.REFUNDED, "order_not_payable"),
        (OrderStatus.PAID, "order_already_paid"),
        (OrderStatus.SHIPPED, "order_already_paid"),
    ],
)
def test_retry_is_refused_for_an_order_that_is_not_pending(fake_yookassa, status, code):
    order = make_order(status=status)
    with pytest.raises(OrderNotPayable) as refusal:
        order_payment_retry(order=order)
    assert refusal.value.code == code and refusal.value.status == 409
    assert fake_yookassa.requests == []


# --- Refunds --------------------------------------------------------------------------------------------------------
def paid_order(fake):
    order = make_order()
    order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    fake.set_status(order.payment_id, "succeeded")
    order_payment_apply(payment=payments.payment_find(order.payment_id))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def test_staff_refund_a_paid_order_in_full(fake_yookassa):
    order = paid_order(fake_yookassa)
    order = order_refund(order=order, by=None)
    assert order.status == OrderStatus.REFUNDED and order.payment_status == PaymentStatus.REFUNDED
    [request] = fake_yookassa.api_requests("POST", "/refunds")
    assert request.body["payment_id"] == order.payment_id
    assert request.body["amount"] == {"value": "2500.00", "currency": "RUB"}
    assert request.headers["Idempotence-Key"] == str(
        uuid.uuid5(order.payment_idempotence_key, f"refund:{order.payment_id}")
    )
    assert receipt_sum(request.body["receipt"]["items"]) == Decimal("2500.00")
    assert fake_yookassa.payment(order.payment_id)["refunded_amount"]["value"] == "2500.00"

    with pytest.raises(OrderNotRefundable):
        order_refund(order=order, by=None)
    assert len(fake_yookassa.api_requests("POST", "/refunds")) == 1


def test_refund_is_refused_for_an_unpaid_order(fake_yookassa):
    order = make_order()
    with pytest.raises(OrderNotRefundable):
        order_refund(order=order, by=None)
    assert fake_yookassa.requests == []


def test_refund_while_yookassa_is_down_keeps_the_order_paid(fake_yookassa):
    order = paid_order(fake_yookassa)
    fake_yookassa.outage = 500
    with pytest.raises(PaymentUnavailable):
        order_refund(order=order, by=None)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_order_model_is_untouched_by_a_refund_refused_by_yookassa(fake_yookassa):
    order = paid_order(fake_yookassa)
    fake_yookassa.set_status(order.payment_id, "canceled")  # the API now refuses the refund
    with pytest.raises(PaymentUnavailable):
        order_refund(order=order, by=None)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_retry_when_the_api_does_not_know_the_stored_payment_creates_a_new_one(fake_yookassa):
    order = make_order()
    Order.objects.filter(pk=order.pk).update(payment_id="unknown-payment", payment_url="http://old/")
    url = order_payment_retry(order=order)
    order.refresh_from_db()
    assert order.payment_id in fake_yookassa.payments and url == order.payment_url
    [request] = created(fake_yookassa)
    assert request.headers["Idempotence-Key"] == str(
        uuid.uuid5(order.payment_idempotence_key, "after:unknown-payment")
    )


def test_refund_of_a_payment_the_api_does_not_know_is_refused_cleanly(fake_yookassa):
    order = make_order(
        status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED, payment_id="unknown-payment"
    )
    with pytest.raises(PaymentUnavailable):
        order_refund(order=order, by=None)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
