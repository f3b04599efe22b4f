"""The fake YooKassa answers the official SDK the way the real API does."""

import json
import os
import re
import subprocess
import sys
import threading
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, ProxyHandler, Request, build_opener

import pytest
from django.conf import settings
from yookassa import Configuration, Payment, Refund
from yookassa.domain.exceptions import BadRequestError, NotFoundError, UnauthorizedError

from orders.fake_yookassa import FakeYooKassa


def payment_params(value="1000.00", **extra):
    params = {
        "amount": {"value": value, "currency": "RUB"},
        "capture": True,
        "confirmation": {"type": "redirect", "return_url": "http://shop.test/orders/DWC-1/"},
        "description": "Оплата заказа DWC-1",
        "metadata": {"order_number": "DWC-1"},
    }
    params.update(extra)
    return params


def receipt(*items):
    return {
        "customer": {"phone": "79161234567"},
        "items": [
            {
                "description": "Футболка",
                "quantity": quantity,
                "amount": {"value": value, "currency": "RUB"},
                "vat_code": 1,
                "payment_subject": "commodity",
                "payment_mode": "full_prepayment",
            }
            for value, quantity in items
        ],
    }


@pytest.fixture
def sdk(fake_yookassa):
    Configuration.configure(fake_yookassa.shop_id, fake_yookassa.secret_key, api_url=fake_yookassa.api_url)
    return fake_yookassa


def http(url, data=None):
    """A direct request that does not follow redirects: (status, headers, body)."""

    class NoRedirect(HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = build_opener(ProxyHandler({}), NoRedirect)
    try:
        with opener.open(Request(url, data=data, method="POST" if data is not None else "GET"), timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class Shop:
    """A stand-in for the shop's notification endpoint: records what the fake POSTs to it."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/notifications/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def shop(fake_yookassa):
    shop = Shop()
    fake_yookassa.webhook_url = shop.url
    yield shop
    shop.stop()


def test_create_and_read_a_payment(sdk):
    payment = Payment.create(payment_params(), "key-1")
    assert payment.status == "pending" and payment.paid is False
    assert payment.confirmation.confirmation_url == f"{sdk.url}/pay/{payment.id}"
    assert Payment.find_one(payment.id).metadata["order_number"] == "DWC-1"
    request = sdk.api_requests("POST", "/payments")[0]
    assert request.headers["Idempotence-Key"] == "key-1"
    assert request.body["amount"] == {"value": "1000.00", "currency": "RUB"}


def test_the_same_idempotence_key_returns_the_same_payment(sdk):
    first = Payment.create(payment_params(), "key-1")
    again = Payment.create(payment_params(), "key-1")
    other = Payment.create(payment_params(), "key-2")
    assert again.id == first.id != other.id
    assert len(sdk.payments) == 2


def test_wrong_credentials_are_refused(sdk):
    Configuration.configure(sdk.shop_id, "wrong", api_url=sdk.api_url)
    with pytest.raises(UnauthorizedError):
        Payment.create(payment_params(), "key-1")
    assert sdk.payments == {}


def test_unknown_payment_is_not_found(sdk):
    with pytest.raises(NotFoundError):
        Payment.find_one("no-such-payment")


def test_a_receipt_must_add_up_to_the_amount(sdk):
    Payment.create(payment_params(receipt=receipt(("300.00", 2), ("400.00", 1))), "ok")
    with pytest.raises(BadRequestError):
        Payment.create(payment_params(receipt=receipt(("300.00", 2), ("399.99", 1))), "bad")
    assert len(sdk.payments) == 1


def test_refund_of_a_succeeded_payment(sdk):
    payment = Payment.create(payment_params(), "key-1")
    with pytest.raises(BadRequestError):
        Refund.create({"payment_id": payment.id, "amount": {"value": "1000.00", "currency": "RUB"}}, "r-0")
    sdk.set_status(payment.id, "succeeded")
    refund = Refund.create({"payment_id": payment.id, "amount": {"value": "1000.00", "currency": "RUB"}}, "r-1")
    assert refund.status == "succeeded" and refund.payment_id == payment.id
    assert Refund.find_one(refund.id).amount.value == 1000
    assert Payment.find_one(payment.id).refunded_amount.value == 1000
    with pytest.raises(BadRequestError):  # nothing left to refund
        Refund.create({"payment_id": payment.id, "amount": {"value": "1.00", "currency": "RUB"}}, "r-2")


def test_capture_of_a_payment_waiting_for_capture(sdk):
    payment = Payment.create(payment_params(capture=False), "key-1")
    sdk.set_status(payment.id, "waiting_for_capture")
    assert Payment.capture(payment.id, None, "c-1").status == "succeeded"


def test_outage_answers_every_call_with_an_error(sdk):
    sdk.outage = 500
    with pytest.raises(Exception):  # noqa: B017 - the SDK raises its own error class per status
        Payment.create(payment_params(), "key-1")
    assert sdk.payments == {}
    assert len(sdk.requests) == 1


def test_payment_page_is_in_russian_with_pay_and_cancel_buttons(sdk):
    payment = Payment.create(payment_params(value="3490.50"), "key-1")
    status, headers, body = http(f"{sdk.url}/pay/{payment.id}")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Оплатить" in body and "Отменить" in body
    assert "3 490,50 ₽" in body and "Оплата заказа DWC-1" in body


def test_pay_button_settles_the_payment_tells_the_shop_and_returns_the_customer(sdk, shop):
    payment = Payment.create(payment_params(), "key-1")
    status, headers, _ = http(f"{sdk.url}/pay/{payment.id}/succeed", data=b"")
    assert status == 303 and headers["Location"] == "http://shop.test/orders/DWC-1/"
    assert Payment.find_one(payment.id).status == "succeeded"
    assert [(n["event"], n["object"]["id"]) for n in shop.received] == [("payment.succeeded", payment.id)]
    # A second click changes nothing and tells nobody.
    http(f"{sdk.url}/pay/{payment.id}/succeed", data=b"")
    assert len(shop.received) == 1


def test_cancel_button_cancels_the_payment_and_tells_the_shop(sdk, shop):
    payment = Payment.create(payment_params(), "key-1")
    status, headers, _ = http(f"{sdk.url}/pay/{payment.id}/cancel", data=b"")
    assert status == 303
    assert Payment.find_one(payment.id).status == "canceled"
    assert shop.received[0]["event"] == "payment.canceled"
    assert shop.received[0]["type"] == "notification"


def test_notification_url_defaults_to_the_shop_site(settings):
    settings.SITE_URL = "http://shop.test:8000"
    assert FakeYooKassa().notification_url() == "http://shop.test:8000/api/v1/payments/yookassa/notifications/"
    settings.FAKE_YOOKASSA_WEBHOOK_URL = "http://elsewhere/hook/"
    assert FakeYooKassa().notification_url() == "http://elsewhere/hook/"
    assert FakeYooKassa(webhook_url="http://explicit/").notification_url() == "http://explicit/"


def test_manage_py_fake_yookassa_serves_the_api_until_stopped():
    env = {**os.environ, "DEBUG": "true", "YOOKASSA_SHOP_ID": "cmd-shop", "YOOKASSA_SECRET_KEY": "cmd-secret"}
    command = [sys.executable, "manage.py", "fake_yookassa", "--port", "0", "--webhook-url", "http://127.0.0.1:9/"]
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True)
    try:
        banner = process.stdout.readline()
        api_url = re.search(r"on (http://127\.0\.0\.1:\d+/v3)", banner).group(1)
        assert "http://127.0.0.1:9/" in banner
        Configuration.configure("cmd-shop", "cmd-secret", api_url=api_url)
        payment = Payment.create(payment_params(), "key-1")
        assert payment.confirmation.confirmation_url == f"{api_url[:-3]}/pay/{payment.id}"
    finally:
        process.terminate()
        process.wait(timeout=20)


# --- Holds (two-stage payments) -------------------------------------------------------------------------------------
def test_a_hold_chosen_on_the_page_waits_for_capture_and_expires_by_method(sdk, shop):
    payment = Payment.create(payment_params(capture=False), "key-1")
    _, _, page = http(f"{sdk.url}/pay/{payment.id}")
    assert "SberPay" in page and "T-Pay" in page and "СБП" not in page
    http(f"{sdk.url}/pay/{payment.id}/succeed", data=b"payment_method=sberbank")
    held = Payment.find_one(payment.id)
    assert (held.status, held.paid, held.payment_method.type) == ("waiting_for_capture", True, "sberbank")
    assert held.expires_at  # SberPay holds for 6 hours, cards for 7 days
    assert [n["event"] for n in shop.received] == ["payment.waiting_for_capture"]


def test_sbp_cannot_hold(sdk):
    with pytest.raises(BadRequestError):
        Payment.create(payment_params(capture=False, payment_method_data={"type": "sbp"}), "key-1")
    assert sdk.payments == {}


def test_capture_takes_the_hold_with_a_receipt_once_and_tells_the_shop(sdk, shop):
    payment = Payment.create(payment_params(capture=False), "key-1")
    sdk.hold(payment.id)
    with pytest.raises(BadRequestError):  # more than was held
        Payment.capture(payment.id, {"amount": {"value": "1000.01", "currency": "RUB"}}, "c-0")
    with pytest.raises(BadRequestError):  # the receipt must add up to what is taken
        Payment.capture(payment.id, {"receipt": receipt(("990.00", 1))}, "c-0")
    part = {"amount": {"value": "990.00", "currency": "RUB"}, "receipt": receipt(("990.00", 1))}
    captured = Payment.capture(payment.id, part, "c-1")
    assert (captured.status, captured.amount.value) == ("succeeded", 990)  # a part of the hold is taken
    # The same key gets the same answer again; a capture of a captured payment is refused.
    assert Payment.capture(payment.id, part, "c-1").id == payment.id
    with pytest.raises(BadRequestError):
        Payment.capture(payment.id, None, "c-2")
    sdk.notifications_wait()
    assert [n["event"] for n in shop.received] == ["payment.waiting_for_capture", "payment.succeeded"]


def test_cancel_releases_the_hold_and_tells_the_shop(sdk, shop):
    payment = Payment.create(payment_params(capture=False), "key-1")
    sdk.hold(payment.id)
    canceled = Payment.cancel(payment.id, "x-1")
    assert (canceled.status, canceled.cancellation_details.reason) == ("canceled", "canceled_by_merchant")
    assert Payment.cancel(payment.id, "x-1").status == "canceled"  # the same key, the same answer
    sdk.notifications_wait()
    assert shop.received[-1]["event"] == "payment.canceled"


def test_an_expired_hold_cannot_be_captured(sdk):
    payment = Payment.create(payment_params(capture=False), "key-1")
    sdk.hold(payment.id)
    sdk.payments[payment.id]["expires_at"] = "2020-01-01T00:00:00.000Z"
    with pytest.raises(BadRequestError):
        Payment.capture(payment.id, None, "c-1")
    lapsed = Payment.find_one(payment.id)
    assert (lapsed.status, lapsed.cancellation_details.reason) == ("canceled", "expired_on_capture")
