"""pytest fixtures that run the local fake YooKassa on a free loopback port (loaded by the root conftest).

- `fake_yookassa`: a `orders.fake_yookassa.FakeYooKassa` with fresh state for the test; settings
  `YOOKASSA_API_URL`, `YOOKASSA_SHOP_ID` and `YOOKASSA_SECRET_KEY` point the SDK at it. Read
  `fake_yookassa.requests` (every API call: method, path, headers, JSON body) and `fake_yookassa.payments`;
  `fake_yookassa.pay(payment_id)` / `.cancel(payment_id)` do what the payment page buttons do (settle the payment
  and POST the notification to the shop); `.set_status(payment_id, status)` changes a payment silently;
  `.outage = 503` makes every API call fail; `.stall = threading.Event()` holds API answers until it is set.
- `fake_yookassa_live`: `fake_yookassa` wired to pytest-django's `live_server` for end-to-end and browser
  tests: `SITE_URL` is the live server (so the payment page sends the browser back to the shop),
  notifications go to the live server's notification endpoint, and 127.0.0.1 is a trusted sender.
- `sms_outbox`: the in-memory SMS backend's outbox (a list of `accounts.sms.SmsMessage(phone, text)`), emptied
  before every test.

A test that must not reach YooKassa at all needs nothing: no fixture, no server.
"""

import pytest

from accounts import sms
from orders.fake_yookassa import NOTIFICATIONS_PATH, FakeYooKassa

FAKE_SHOP_ID = "test-shop"
FAKE_SECRET_KEY = "test-secret-key"


@pytest.fixture(scope="session")
def _fake_yookassa_server():
    fake = FakeYooKassa(shop_id=FAKE_SHOP_ID, secret_key=FAKE_SECRET_KEY).start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_yookassa(_fake_yookassa_server, settings):
    fake = _fake_yookassa_server
    fake.reset()
    settings.YOOKASSA_API_URL = fake.api_url
    settings.YOOKASSA_SHOP_ID = fake.shop_id
    settings.YOOKASSA_SECRET_KEY = fake.secret_key
    yield fake
    fake.reset()


@pytest.fixture
def fake_yookassa_live(fake_yookassa, live_server, settings):
    settings.SITE_URL = live_server.url
    settings.YOOKASSA_TRUSTED_NETWORKS = ["127.0.0.1/32"]
    fake_yookassa.webhook_url = f"{live_server.url}{NOTIFICATIONS_PATH}"
    return fake_yookassa


@pytest.fixture(autouse=True)
def sms_outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
