"""The whole payment flow over real HTTP: the shop on a live server, the fake YooKassa's payment page, its
notification back to the shop, and the shop reading the payment from the API."""

from decimal import Decimal
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, ProxyHandler, Request, build_opener

import pytest

from catalog.models import ProductStock
from catalog.tests.factories import ProductFactory
from orders.models import Order, OrderStatus, PaymentStatus
from orders.services import order_place

pytestmark = pytest.mark.django_db(transaction=True)


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def click(url: str) -> tuple[int, str]:
    """Press a payment page button: the POST's status and where it sends the browser."""
    opener = build_opener(ProxyHandler({}), _NoRedirect)
    try:
        with opener.open(Request(url, data=b"", method="POST"), timeout=30) as response:
            return response.status, response.headers.get("Location", "")
    except HTTPError as error:
        return error.code, error.headers.get("Location", "")


@pytest.fixture
def order(fake_yookassa_live, user):
    product = ProductFactory(price=Decimal("2990.00"), stock={"L": 2})
    order = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=user,
        items=[{"product": product, "size": "L", "quantity": 1}],
    )
    order.refresh_from_db()
    assert order.payment_url.startswith(fake_yookassa_live.url)
    order.product = product
    return order


def test_pay_on_the_payment_page_and_the_order_is_paid(order, fake_yookassa_live, live_server, sms_outbox):
    status, location = click(f"{order.payment_url}/succeed")
    assert status == 303 and location == f"{live_server.url}/orders/{order.order_number}/"
    assert fake_yookassa_live.notifications[-1]["status"] == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.payment_status == PaymentStatus.SUCCEEDED
    assert [m.phone for m in sms_outbox] == [order.user.phone]


def test_cancel_on_the_payment_page_cancels_the_order_and_frees_the_stock(order, fake_yookassa_live):
    assert ProductStock.objects.get(product=order.product, size="L").quantity == 1
    status, _ = click(f"{order.payment_url}/cancel")
    assert status == 303
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert ProductStock.objects.get(product=order.product, size="L").quantity == 2
