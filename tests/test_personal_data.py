"""A customer's data on request and the deletion of their account (152-FZ), across the apps that hold it."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from accounts.models import Consent, User
from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from conftest import client_for
from drops.models import Draw, DrawEntry
from orders.models import Order, OrderItem
from orders.services import order_mark_paid, order_place
from preorders.models import WaitlistEntry

pytestmark = pytest.mark.django_db

PHONE = "+79165557788"
ADDRESS = "Москва, ул. Тверская, д. 7, кв. 12, тел. +79165557788"


@pytest.fixture
def customer():
    return UserFactory(phone=PHONE, full_name="Анна Петрова", email="anna@example.com", address=ADDRESS)


@pytest.fixture
def orders(customer):
    product = ProductFactory(name="Худи", price=Decimal("4990.00"), stock={"M": 5, "S": 0})
    paid = order_place(
        user=customer, items=[{"product": product, "size": "M", "quantity": 2}], delivery_address=ADDRESS
    )
    order_mark_paid(order=paid)
    pending = order_place(
        user=customer, items=[{"product": product, "size": "M", "quantity": 1}], delivery_address=ADDRESS
    )
    WaitlistEntry.objects.create(product=product, size="S", phone=PHONE, user=customer)
    draw = Draw.objects.create(product=ProductFactory(name="Дроп"), seed="s", seed_hash="h")
    DrawEntry.objects.create(
        draw=draw, user=customer, phone=PHONE, size="M", status="entered", delivery_method="courier",
        delivery_address=ADDRESS, price=Decimal("4990.00"), delivery_amount=0, amount=Decimal("4990.00"),
    )  # fmt: skip
    return [paid, pending]


def _code(api, sms_outbox, django_capture_on_commit_callbacks, phone=PHONE) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post("/api/v1/auth/sms/", {"phone": phone}, format="json").status_code == 202
    return re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)


def test_export_holds_the_profile_consents_orders_and_waitlist(customer, orders):
    response = client_for(customer).get("/api/v1/users/me/data/")
    assert response.status_code == 200
    data = response.json()
    assert data["profile"]["phone"] == PHONE and data["profile"]["full_name"] == "Анна Петрова"
    assert len(data["consents"]) == 1
    assert {o["order_number"] for o in data["orders"]} == {o.order_number for o in orders}
    paid = next(o for o in data["orders"] if o["order_number"] == orders[0].order_number)
    assert paid["final_amount"] == "9980.00" and paid["delivery_address"] == ADDRESS
    assert data["waitlist"][0]["size"] == "S"
    assert data["draw_entries"][0]["delivery_address"] == ADDRESS
    assert "sms" in data and "queue_places" in data


def test_export_is_the_customers_own(customer, orders):
    other = UserFactory()
    data = client_for(other).get("/api/v1/users/me/data/").json()
    assert data["orders"] == [] and data["waitlist"] == [] and data["draw_entries"] == []
    assert PHONE not in json.dumps(data)


def _books():
    """What the accounts see: every order's amounts and items, the totals."""
    orders = list(
        Order.objects.order_by("pk").values_list(
            "order_number",
            "status",
            "payment_status",
            "total_amount",
            "discount_amount",
            "delivery_amount",
            "final_amount",
            "payment_id",
        )
    )
    items = list(
        OrderItem.objects.order_by("pk").values_list("order_id", "product_id", "size", "quantity", "price")
    )
    return orders, items, Order.objects.aggregate(s=Sum("final_amount"))["s"]


def _rows_mentioning(text: str) -> list[str]:
    """Every row of the orders' tables (and their audit history) that still carries `text`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if "order" not in table:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the introspection
            found += [f"{table}: {row}" for row in cursor.fetchall() if text in " ".join(map(str, row))]
    return found


def test_deleting_the_account_anonymises_it_keeps_the_books_and_ends_every_token(
    customer, orders, api_client, sms_outbox, django_capture_on_commit_callbacks, staff_client
):
    tokens = api_client.post("/api/v1/auth/login/", {"phone": PHONE, "password": "secret-pass-123"}, format="json")
    access, refresh = tokens.json()["access"], tokens.json()["refresh"]
    assert _rows_mentioning(PHONE) and _rows_mentioning("Тверская")  # the address names them before
    books = _books()
    api = client_for(customer)
    code = _code(api_client, sms_outbox, django_capture_on_commit_callbacks)

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused = api.delete("/api/v1/users/me/", {"code": wrong}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "sms_code_invalid"
    assert User.objects.get(pk=customer.pk).phone == PHONE  # nothing changed
    assert api.delete("/api/v1/users/me/", {}, format="json").status_code == 400

    assert api.delete("/api/v1/users/me/", {"code": code}, format="json").status_code == 204

    user = User.objects.get(pk=customer.pk)
    assert user.phone != PHONE and not user.is_active and not user.has_usable_password()
    assert (user.full_name, user.email, user.address) == ("", "", "")
    assert _rows_mentioning(PHONE) == [] and _rows_mentioning("Тверская") == []
    for order in orders:
        shown = json.dumps(staff_client.get(f"/api/v1/orders/{order.order_number}/").json(), ensure_ascii=False)
        assert PHONE not in shown and "Тверская" not in shown
    assert not WaitlistEntry.objects.exists()
    entry = DrawEntry.objects.get()
    assert PHONE not in entry.phone and "Тверская" not in entry.delivery_address
    assert (entry.status, entry.amount) == ("entered", Decimal("4990.00"))
    assert Consent.objects.get(user=user).withdrawn_at is not None
    assert PHONE not in str(list(Consent.objects.values_list("phone", flat=True)))
    # The books balance as before: the same orders, statuses, amounts and items.
    assert _books() == books
    # Every token of the account is refused.
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {access}"}
    assert api_client.get("/api/v1/users/me/", **bearer).status_code == 401
    assert api_client.post("/api/v1/auth/refresh/", {"refresh": refresh}, format="json").status_code == 401
    assert (
        api_client.post(
            "/api/v1/auth/login/", {"phone": PHONE, "password": "secret-pass-123"}, format="json"
        ).status_code
        == 401
    )


def test_storefront_account_links_the_data_and_deletes_with_a_code(
    client, customer, orders, sms_outbox, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    account = client.get("/account/").content.decode()
    assert 'href="/account/data/"' in account and 'href="/account/delete/"' in account
    assert "Отозвать согласие на обработку — это удалить аккаунт" in account  # how consent is withdrawn
    download = client.get("/account/data/")
    assert download["Content-Disposition"].startswith("attachment")
    assert json.loads(download.content)["orders"]

    with django_capture_on_commit_callbacks(execute=True):
        step = client.post("/account/delete/", {"action": "send"})
    assert 'name="code"' in step.content.decode()
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    done = client.post("/account/delete/", {"action": "delete", "code": code})
    assert done.status_code == 302
    assert not User.objects.get(pk=customer.pk).is_active
    # The session ended: the account page asks to sign in again.
    assert client.get("/account/").status_code == 302
