"""Returns from the customer's request to the refund by line, against the fake YooKassa over real HTTP."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from conftest import client_for
from fulfilment.errors import ReturnRejected
from fulfilment.models import ReturnRequest, ReturnStatus
from fulfilment.services import return_decide, return_receive
from orders import payments
from orders.models import OrderEvent, OrderRefund, OrderStatus
from orders.services import (
    order_payment_apply,
    order_payment_start,
    order_place,
    order_set_status,
    order_set_tracking,
)
from orders.tests.helpers import stock_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(fake_yookassa, user, settings):
    """A delivered order of 3 tees at 1000 and a hoodie at 500, paid through the fake YooKassa."""
    settings.DELIVERY_FLAT_AMOUNT = "390.00"
    tee = ProductFactory(price=Decimal("1000.00"), stock={"M": 5})
    hoodie = ProductFactory(price=Decimal("500.00"), stock={"M": 5})
    order = order_place(
        user=user,
        items=[
            {"product": tee.pk, "size": "M", "quantity": 3},
            {"product": hoodie.pk, "size": "M", "quantity": 1},
        ],
        delivery_address="Москва, ул. Тверская, 1",
    )
    order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    fake_yookassa.set_status(order.payment_id, "succeeded")
    order_payment_apply(payment=payments.payment_find(order.payment_id))
    order_set_tracking(order=order, tracking_number="1106000001", by=None)
    order = order_set_status(order=order, status=OrderStatus.DELIVERED, by=None)
    assert order.status == OrderStatus.DELIVERED
    return order, tee, hoodie


def ask(user, order, items, reason="Не подошёл размер"):
    return client_for(user).post(
        f"/api/v1/orders/{order.order_number}/returns/",
        {"items": [{"item": item.pk, "quantity": n} for item, n in items], "reason": reason},
        format="json",
    )


def test_a_return_from_request_to_refund_with_units_back(
    delivered, user, staff, fake_yookassa, sms_outbox, django_capture_on_commit_callbacks
):
    order, tee, hoodie = delivered
    tee_line = order.items.get(product=tee)
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = ask(user, order, [(tee_line, 2)])
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "requested" and answer.json()["items"] == [
        {"item": tee_line.pk, "quantity": 2}
    ]
    made = ReturnRequest.objects.get()
    url = f"/admin/fulfilment/returnrequest/{made.pk}/change/"

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url, {"_accept": "1", "staff_comment": ""})
    made.refresh_from_db()
    assert made.status == ReturnStatus.ACCEPTED
    listed = client_for(user).get(f"/api/v1/orders/{order.order_number}/returns/").json()
    assert "пункт выдачи СДЭК" in listed[0]["instructions"]

    stock_before = stock_of(tee, "M")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url, {"_received_sellable": "1", "staff_comment": ""})
        staff.post(url, {"_received_sellable": "1", "staff_comment": ""})  # a double click
    made.refresh_from_db()
    assert made.status == ReturnStatus.REFUNDED and made.sellable is True
    assert stock_of(tee, "M") == stock_before + 2
    [refund_call] = fake_yookassa.api_requests("POST", "/refunds")
    assert refund_call.body["amount"]["value"] == "2000.00"
    assert [float(item["quantity"]) for item in refund_call.body["receipt"]["items"]] == [2]
    assert OrderRefund.objects.get().status == "succeeded" and made.refund_id == OrderRefund.objects.get().pk
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED  # a partial return: the rest stays with the customer

    messages = [e.message for e in OrderEvent.objects.filter(order=order).order_by("id")]
    assert any("попросил вернуть" in m for m in messages) and any("принял заявку" in m for m in messages)
    assert any("получен магазином, товар вернулся на склад" in m for m in messages)
    assert any("Частичный возврат" in m for m in messages)
    texts = [m.text for m in sms_outbox]
    assert sum("возврат по заказу" in t for t in texts) == 3  # asked, accepted (with how to send), received
    assert any("возвращена часть денег" in t for t in texts)
    assert (
        client_for(user).get(f"/api/v1/orders/{order.order_number}/returns/").json()[0]["refund_amount"]
        == "2000.00"
    )


def test_what_may_not_be_returned(delivered, user, settings):
    order, tee, hoodie = delivered
    tee_line = order.items.get(product=tee)
    too_many = ask(user, order, [(tee_line, 4)])
    assert (too_many.status_code, too_many.json()["code"]) == (400, "return_too_many")
    assert too_many.json()["available"] == {str(tee_line.pk): 3}
    assert ask(user, order, [(tee_line, 1)], reason=" ").status_code == 400
    assert ask(UserFactory(), order, [(tee_line, 1)]).status_code == 404

    assert ask(user, order, [(tee_line, 2)]).status_code == 201
    again = ask(user, order, [(tee_line, 2)])  # only one unit is left to ask for
    assert again.json()["available"] == {str(tee_line.pk): 1}

    OrderEvent.objects.filter(order=order, status=OrderStatus.DELIVERED).update(
        created_at=order.created_at - timedelta(days=settings.RETURN_DAYS + 1)
    )
    late = ask(user, order, [(tee_line, 1)])
    assert (late.status_code, late.json()["code"]) == (409, "return_window_closed")


def test_an_undelivered_order_is_not_returned(fake_yookassa, user):
    product = ProductFactory(stock={"M": 2})
    order = order_place(
        user=user,
        items=[{"product": product.pk, "size": "M", "quantity": 1}],
        delivery_address="Москва, Тверская, 1",
    )
    answer = ask(user, order, [(order.items.get(), 1)])
    assert (answer.status_code, answer.json()["code"]) == (409, "order_not_delivered")


def test_a_refusal_says_why_and_frees_the_units(delivered, user, sms_outbox, django_capture_on_commit_callbacks):
    order, tee, hoodie = delivered
    line = order.items.get(product=hoodie)
    assert ask(user, order, [(line, 1)]).status_code == 201
    made = ReturnRequest.objects.get()
    with pytest.raises(ReturnRejected):
        return_decide(request=made, accept=False, comment="")
    with django_capture_on_commit_callbacks(execute=True):
        return_decide(request=made, accept=False, comment="Товар был в носке")
    assert any("Заявка отклонена: Товар был в носке" in m.text for m in sms_outbox)
    assert ask(user, order, [(line, 1)]).status_code == 201  # the unit may be asked for again


def test_goods_that_are_not_sellable_stay_out_of_stock(delivered, user, fake_yookassa):
    order, tee, hoodie = delivered
    assert ask(user, order, [(order.items.get(product=hoodie), 1)]).status_code == 201
    made = return_decide(request=ReturnRequest.objects.get(), accept=True)
    before = stock_of(hoodie, "M")
    made = return_receive(request=made, sellable=False)
    assert made.status == ReturnStatus.REFUNDED and stock_of(hoodie, "M") == before


def test_staff_who_may_only_look_cannot_take_a_step(delivered, user, client):
    """A step moves money and stock: it needs the right to change returns, not only to see them."""
    from django.contrib.auth.models import Permission

    order, tee, _ = delivered
    assert ask(user, order, [(order.items.get(product=tee), 1)]).status_code == 201
    made = ReturnRequest.objects.get()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_returnrequest"))
    client.force_login(viewer)
    url = f"/admin/fulfilment/returnrequest/{made.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="_accept"' not in page.content.decode()
    assert client.post(url, {"_accept": "1", "staff_comment": ""}).status_code == 403
    made.refresh_from_db()
    assert made.status == ReturnStatus.REQUESTED


def test_a_refund_yookassa_cancels_can_be_asked_again_and_money_moves_once(
    delivered, user, staff, fake_yookassa, django_capture_on_commit_callbacks
):
    order, tee, _ = delivered
    assert ask(user, order, [(order.items.get(product=tee), 1)]).status_code == 201
    made = ReturnRequest.objects.get()
    url = f"/admin/fulfilment/returnrequest/{made.pk}/change/"
    fake_yookassa.refund_status = "canceled"
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url, {"_accept": "1", "staff_comment": ""})
        staff.post(url, {"_received_sellable": "1", "staff_comment": ""})  # the refund is refused
    made.refresh_from_db()
    assert made.status == ReturnStatus.RECEIVED
    assert 'name="_refund"' in staff.get(url).content.decode()  # staff may try again

    fake_yookassa.refund_status = "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url, {"_refund": "1", "staff_comment": ""})
        staff.post(url, {"_refund": "1", "staff_comment": ""})  # a double click
    made.refresh_from_db()
    assert made.status == ReturnStatus.REFUNDED
    refunds = fake_yookassa.api_requests("POST", "/refunds")
    assert [r.body["amount"]["value"] for r in refunds] == ["1000.00", "1000.00"]  # the refused one, then one
    assert sorted(OrderRefund.objects.values_list("request_key", "status")) == [
        (f"return-{made.pk}", "canceled"),
        (f"return-{made.pk}:2", "succeeded"),
    ]
