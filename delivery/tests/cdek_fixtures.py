"""pytest fixtures that run the local fake CDEK on a free loopback port (loaded by the root conftest).

- `fake_cdek`: a `delivery.fake_cdek.FakeCdek` with fresh state for the test; settings `CDEK_API_URL`,
  `CDEK_CLIENT_ID` and `CDEK_CLIENT_SECRET` point the shop at it and `CDEK_TIMEOUT` is short. Read
  `fake_cdek.requests` (every call: method, path, query, headers, body); `.outage = 500` fails every call;
  `.stall = threading.Event()` holds answers until it is set (a hanging CDEK); `.expire_tokens()` revokes tokens.

Without the fixture CDEK is not configured in tests, and delivery costs the flat `DELIVERY_FLAT_AMOUNT`.
"""

import pytest

from delivery.fake_cdek import FakeCdek

FAKE_CLIENT_ID = "test-cdek"
FAKE_CLIENT_SECRET = "test-cdek-secret"


@pytest.fixture(scope="session")
def _fake_cdek_server():
    fake = FakeCdek(client_id=FAKE_CLIENT_ID, client_secret=FAKE_CLIENT_SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_cdek(_fake_cdek_server, settings):
    fake = _fake_cdek_server
    fake.reset()
    settings.CDEK_API_URL = fake.api_url
    settings.CDEK_CLIENT_ID = fake.client_id
    settings.CDEK_CLIENT_SECRET = fake.client_secret
    settings.CDEK_TIMEOUT = 0.5
    yield fake
    fake.reset()
