"""The orders API: place, list, read, cancel, pay; staff PATCH; bad input is a 400, never a 500."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from catalog.models import ProductStock
from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders.models import Order, OrderStatus
from orders.services import order_place
from orders.tests.factories import OrderFactory
from preorders.tests.factories import PreorderProductFactory
from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


@pytest.fixture(autouse=True)
def no_payments(monkeypatch):
    """Payments are the payments module's business; here they only have to be started."""
    started = []
    monkeypatch.setattr(
        "orders.services.placing.order_payment_begin", lambda *, order_id: started.append(order_id)
    )
    return started


@pytest.fixture
def tee():
    return ProductFactory(name="Футболка", price=Decimal("3490.00"), stock={"S": 3, "M": 5})


def test_placing_an_order(user_client, user, tee, django_capture_on_commit_callbacks, no_payments):
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(
            ORDERS,
            {
                "items": [{"product": tee.pk, "size": "M", "quantity": 2}],
                "delivery_address": "Москва, ул. Ленина, 1",
                "cdek_point": "MSK123",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["order_number"].startswith("DWC-")
    assert body["status"] == "pending" and body["payment_status"] == "pending"
    assert (body["total_amount"], body["discount_amount"], body["final_amount"]) == ("6980.00", "0.00", "6980.00")
    assert body["delivery_address"] == "Москва, ул. Ленина, 1" and body["cdek_point"] == "MSK123"
    assert body["tracking_number"] == ""
    assert body["items"] == [
        {
            "id": body["items"][0]["id"],
            "product": tee.pk,
            "product_name": "Футболка",
            "size": "M",
            "quantity": 2,
            "price": "3490.00",
            "discount_amount": "0.00",
            "final_amount": "6980.00",
            "is_preorder": False,
            "preorder_wave": None,
            "ships_on": None,
        }
    ]
    assert (body["refunded_amount"], body["net_amount"]) == ("0.00", "0.00")  # nothing paid yet
    assert body["preorder_statuses"] == []
    assert body["created_at"] and body["payment_url"] == ""  # the payment starts after commit (stubbed here)
    assert ProductStock.objects.get(product=tee, size="M").quantity == 3
    assert Order.objects.get(order_number=body["order_number"]).user == user
    assert no_payments == [Order.objects.get().pk]


def test_preorder_items_name_their_wave_and_the_timeline(user_client):
    hoodie = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5)
    response = user_client.post(
        ORDERS,
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": hoodie.pk, "size": "L", "quantity": 7}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(i["preorder_wave"], i["quantity"], i["is_preorder"]) for i in body["items"]] == [
        (1, 5, True),
        (2, 2, True),
    ]
    assert [s["wave"] for s in body["preorder_statuses"]] == [1, 2]
    assert body["preorder_statuses"][0]["status"] == "collecting"


def test_a_promo_code_in_the_order(user_client, tee):
    PromoCodeFactory(code="SALE10", discount_percent=10)
    response = user_client.post(
        ORDERS,
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": tee.pk, "size": "M", "quantity": 1}],
            "promo_code": "sale10",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["total_amount"], body["discount_amount"], body["final_amount"]) == (
        "3490.00",
        "349.00",
        "3141.00",
    )
    assert body["promo_code"] == "SALE10"


def test_short_stock_is_a_409_saying_how_many_are_left(user_client, tee):
    response = user_client.post(
        ORDERS,
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": tee.pk, "size": "S", "quantity": 4}],
        },
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert body["available"] == 3
    assert "осталось 3 шт." in body["detail"]
    assert not Order.objects.exists()


def test_full_waves_are_a_409(user_client):
    hoodie = PreorderProductFactory(preorder_waves_total=1, preorder_wave_capacity=2)
    response = user_client.post(
        ORDERS,
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": hoodie.pk, "size": "M", "quantity": 3}],
        },
        format="json",
    )
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["available"]) == ("waves_full", 2)


@pytest.mark.parametrize(
    ("promo_kwargs", "code"),
    [({"is_active": False}, "promo_inactive"), ({"max_uses": 1, "current_uses": 1}, "promo_used_up")],
)
def test_promo_refusals_are_a_400_with_the_reason(user_client, tee, promo_kwargs, code):
    promo = PromoCodeFactory(**promo_kwargs)
    response = user_client.post(
        ORDERS,
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": tee.pk, "size": "M", "quantity": 1}],
            "promo_code": promo.code,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_unknown_promo_code_is_a_400(user_client, tee):
    response = user_client.post(
        ORDERS,
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": tee.pk, "size": "M", "quantity": 1}],
            "promo_code": "NOPE",
        },
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "promo_unknown")


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"delivery_address": "Москва, ул. Тверская, 1", "items": []},
        {"delivery_address": "Москва, ул. Тверская, 1", "items": "M"},
        {"delivery_address": "Москва, ул. Тверская, 1", "items": {"product": 1}},
        {"delivery_address": "Москва, ул. Тверская, 1", "items": [1, 2]},
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "PRODUCT", "size": "M", "quantity": 1}],
        },
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": 10**30, "size": "M", "quantity": 1}],
        },
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": 999999, "size": "M", "quantity": 1}],
        },
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "TEE", "size": "XXL", "quantity": 1}],
        },
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "TEE", "size": "M", "quantity": "abc"}],
        },
        {"delivery_address": "Москва, ул. Тверская, 1", "items": [{"product": "TEE", "size": "M", "quantity": 0}]},
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "TEE", "size": "M", "quantity": -1}],
        },
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "TEE", "size": "M", "quantity": 10**12}],
        },
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "TEE", "size": "M", "quantity": 1.5}],
        },
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "TEE", "size": "M", "quantity": None}],
        },
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "TEE", "size": None, "quantity": 1}],
        },
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "TEE", "size": ["M"], "quantity": 1}],
        },
        {"delivery_address": "Москва, ул. Тверская, 1", "items": [{"product": "TEE", "size": "M"}]},
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "TEE", "size": "M", "quantity": 1}],
            "promo_code": ["X"],
        },
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": "TEE", "size": "M", "quantity": 1}] * 51,
        },
    ],
)
def test_bad_input_is_a_400_never_a_500(user_client, tee, payload):
    def fill(value):
        if value == "TEE":
            return tee.pk
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    response = user_client.post(ORDERS, fill(payload), format="json")
    assert response.status_code == 400, response.content
    assert not Order.objects.exists()
    assert ProductStock.objects.get(product=tee, size="M").quantity == 5


def test_a_hidden_product_is_a_400(user_client):
    product = ProductFactory(is_active=False, stock={"M": 5})
    response = user_client.post(
        ORDERS,
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": product.pk, "size": "M", "quantity": 1}],
        },
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "product_unavailable")


def test_a_body_that_is_no_json_object_is_a_400(user_client):
    response = user_client.post(ORDERS, "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    response = user_client.post(ORDERS, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_anonymous_users_cannot_order_or_list(api_client, tee):
    response = api_client.post(
        ORDERS,
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": tee.pk, "size": "M", "quantity": 1}],
        },
        format="json",
    )
    assert response.status_code == 401
    assert api_client.get(ORDERS).status_code == 401


# --- Reading ------------------------------------------------------------------------------------------------------
def test_list_shows_only_own_orders_paginated(user_client, user, tee):
    mine = [
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[{"product": tee.pk, "size": "M", "quantity": 1}],
        )
        for _ in range(2)
    ]
    OrderFactory()
    response = user_client.get(ORDERS)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert [o["order_number"] for o in body["results"]] == [o.order_number for o in reversed(mine)]


def test_list_query_count_does_not_grow_with_orders(user_client, user, tee):
    hoodie = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=100)

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert user_client.get(ORDERS).status_code == 200
        return len(captured)

    order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[
            {"product": tee.pk, "size": "M", "quantity": 1},
            {"product": hoodie.pk, "size": "M", "quantity": 1},
        ],
    )
    few = count_queries()
    for _ in range(3):
        order_place(
            delivery_address="Москва, ул. Тверская, 1",
            user=user,
            items=[
                {"product": tee.pk, "size": "S", "quantity": 1},
                {"product": hoodie.pk, "size": "M", "quantity": 7},
            ],
        )
    assert count_queries() == few


def test_someone_elses_order_is_a_404(user_client):
    other = OrderFactory()
    assert user_client.get(f"{ORDERS}{other.order_number}/").status_code == 404
    assert user_client.post(f"{ORDERS}{other.order_number}/cancel/").status_code == 404
    assert user_client.post(f"{ORDERS}{other.order_number}/pay/").status_code == 404
    assert Order.objects.get(pk=other.pk).status == OrderStatus.PENDING


def test_own_order_by_number(user_client, user, tee):
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}],
    )
    response = user_client.get(f"{ORDERS}{order.order_number}/")
    assert response.status_code == 200
    assert response.json()["order_number"] == order.order_number


def test_staff_see_any_order(staff_client):
    order = OrderFactory()
    assert staff_client.get(f"{ORDERS}{order.order_number}/").status_code == 200


def test_unknown_number_is_a_404(user_client):
    assert user_client.get(f"{ORDERS}DWC-2000-000000/").status_code == 404


# --- Cancel and pay ------------------------------------------------------------------------------------------------
def test_cancelling_an_unpaid_order_gives_everything_back(user_client, user, tee):
    promo = PromoCodeFactory(max_uses=5)
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": tee.pk, "size": "M", "quantity": 2}],
        promo_code=promo.code,
    )
    response = user_client.post(f"{ORDERS}{order.order_number}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert ProductStock.objects.get(product=tee, size="M").quantity == 5
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 0
    again = user_client.post(f"{ORDERS}{order.order_number}/cancel/")
    assert (again.status_code, again.json()["code"]) == (409, "order_not_cancellable")
    assert ProductStock.objects.get(product=tee, size="M").quantity == 5


def test_a_paid_order_cannot_be_cancelled(user_client, user):
    order = OrderFactory(user=user, status=OrderStatus.PAID)
    assert user_client.post(f"{ORDERS}{order.order_number}/cancel/").status_code == 409


def test_pay_returns_the_payment_url(user_client, user, monkeypatch):
    order = OrderFactory(user=user)
    monkeypatch.setattr(
        "orders.services.order_payment_retry", lambda *, order: f"https://pay.example/{order.order_number}"
    )
    response = user_client.post(f"{ORDERS}{order.order_number}/pay/")
    assert response.status_code == 200
    assert response.json() == {"payment_url": f"https://pay.example/{order.order_number}"}


# --- Staff changes -----------------------------------------------------------------------------------------------
def test_customers_cannot_patch_orders(user_client, user):
    order = OrderFactory(user=user)
    response = user_client.patch(f"{ORDERS}{order.order_number}/", {"status": "paid"}, format="json")
    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING


def test_staff_move_an_order_along(staff_client):
    order = OrderFactory(status=OrderStatus.PAID)
    response = staff_client.patch(f"{ORDERS}{order.order_number}/", {"status": "processing"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "processing")


def test_staff_cannot_make_nonsense_transitions(staff_client):
    order = OrderFactory(status=OrderStatus.DELIVERED)
    response = staff_client.patch(f"{ORDERS}{order.order_number}/", {"status": "pending"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    response = staff_client.patch(f"{ORDERS}{order.order_number}/", {"status": "lost"}, format="json")
    assert response.status_code == 400
    assert staff_client.patch(f"{ORDERS}{order.order_number}/", {}, format="json").status_code == 400


def test_a_tracking_number_ships_the_order_and_queues_an_sms(
    staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("orders.notifications.sms_enqueue", lambda *, phone, text: sent.append(phone))
    customer = UserFactory()
    order = OrderFactory(user=customer, status=OrderStatus.PAID)
    response = staff_client.patch(f"{ORDERS}{order.order_number}/", {"tracking_number": "CDEK-42"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["tracking_number"]) == ("shipped", "CDEK-42")
    assert sent == [customer.phone]


def test_a_tracking_number_for_an_unpaid_order_is_refused(staff_client):
    order = OrderFactory()
    response = staff_client.patch(f"{ORDERS}{order.order_number}/", {"tracking_number": "CDEK-42"}, format="json")
    assert response.status_code == 409
    assert Order.objects.get(pk=order.pk).tracking_number == ""


def test_put_and_delete_are_not_offered(staff_client):
    order = OrderFactory()
    assert staff_client.put(f"{ORDERS}{order.order_number}/", {}, format="json").status_code == 405
    assert staff_client.delete(f"{ORDERS}{order.order_number}/").status_code == 405


def test_staff_list_shows_their_own_orders(staff_client, staff_user):
    OrderFactory()
    OrderFactory(user=staff_user)
    assert staff_client.get(ORDERS).json()["count"] == 1


def test_other_users_order_via_client_for(tee):
    owner, stranger = UserFactory(), UserFactory()
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=owner,
        items=[{"product": tee.pk, "size": "M", "quantity": 1}],
    )
    assert client_for(stranger).get(f"{ORDERS}{order.order_number}/").status_code == 404
    assert client_for(owner).get(f"{ORDERS}{order.order_number}/").status_code == 200


def test_placing_an_order_over_the_api_makes_a_bounded_number_of_queries(user_client, user):
    tee = ProductFactory(stock={"S": 100, "M": 100})
    hoodie = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=500)
    payload = {
        "delivery_address": "Москва, ул. Тверская, 1",
        "items": [
            {"product": tee.pk, "size": "M", "quantity": 1},
            {"product": tee.pk, "size": "S", "quantity": 1},
            {"product": hoodie.pk, "size": "M", "quantity": 1},
        ],
    }

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert user_client.post(ORDERS, payload, format="json").status_code == 201
        return len(captured)

    count_queries()  # the customer's first order also keeps its address in their profile (once)
    first = count_queries()
    for _ in range(2):
        order_place(delivery_address="Москва, ул. Тверская, 1", user=user, items=payload["items"])
    OrderFactory.create_batch(5)
    assert count_queries() == first
    assert first <= 30


def test_a_product_without_sizes_needs_no_size(user_client):
    bag = ProductFactory(sizes=[], stock={"ONE SIZE": 1})
    response = user_client.post(
        ORDERS,
        {"delivery_address": "Москва, ул. Тверская, 1", "items": [{"product": bag.pk, "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["items"][0]["size"] == "ONE SIZE"
