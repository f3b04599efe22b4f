"""Swagger's written examples run as written against the seeded demo: each documented request is posted (the fake
YooKassa and the fake CDEK answer over real HTTP) and gets the documented answer."""

import copy

import pytest
from django.core.management import call_command

from catalog.models import Product
from config.api_docs import EXAMPLE_PRODUCT_ARTICLE, EXAMPLE_PRODUCT_ID, EXAMPLES
from conftest import client_for
from orders import payments
from orders.models import Order
from orders.services import order_payment_apply

pytestmark = pytest.mark.django_db


def _request(operation: str, product_id: int) -> dict:
    """The documented body; only the example product's id is the one this database gave the demo's tee."""
    body = copy.deepcopy(EXAMPLES[operation]["request"])
    for item in body.get("items", []):
        assert item["product"] == EXAMPLE_PRODUCT_ID
        item["product"] = product_id
    return body


def test_every_written_example_request_runs_as_documented(
    api_client, fake_yookassa, fake_cdek, staff_user, django_capture_on_commit_callbacks
):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    product = Product.objects.get(article=EXAMPLE_PRODUCT_ARTICLE)
    posted = set()

    response = api_client.post("/api/v1/auth/register/", _request("auth_register", product.pk), format="json")
    assert response.status_code == 201, response.json()
    posted.add("auth_register")

    response = api_client.post("/api/v1/auth/login/", _request("auth_login", product.pk), format="json")
    assert response.status_code == 200 and set(EXAMPLES["auth_login"]["response"]) <= set(response.json())
    posted.add("auth_login")
    customer = api_client
    customer.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")

    response = customer.post(
        "/api/v1/promo-codes/validate/", _request("promo_codes_validate_create", product.pk), format="json"
    )
    assert response.status_code == 200 and response.json() == EXAMPLES["promo_codes_validate_create"]["response"]
    posted.add("promo_codes_validate_create")

    with django_capture_on_commit_callbacks(execute=True):
        response = customer.post("/api/v1/orders/", _request("orders_create", product.pk), format="json")
    assert response.status_code == 201, response.json()
    body, documented = response.json(), EXAMPLES["orders_create"]["response"]
    for field in (
        "status",
        "payment_status",
        "total_amount",
        "discount_amount",
        "delivery_amount",
        "final_amount",
        "delivery_method",
        "cdek_point",
        "cdek_point_name",
    ):
        assert body[field] == documented[field], field
    posted.add("orders_create")

    order = Order.objects.get(order_number=body["order_number"])
    assert order.payment_url.startswith(fake_yookassa.url)  # created on commit (in the request, outside a test)
    fake_yookassa.set_status(order.payment_id, "succeeded")
    order_payment_apply(payment=payments.payment_find(order.payment_id))
    response = client_for(staff_user).patch(
        f"/api/v1/orders/{order.order_number}/", _request("orders_partial_update", product.pk), format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "shipped"
    posted.add("orders_partial_update")

    assert posted == {operation for operation, example in EXAMPLES.items() if "request" in example}
