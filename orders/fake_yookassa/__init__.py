"""A local fake of the YooKassa API for tests and the offline demo.

It speaks the part of API v3 the shop uses through the official SDK, over real HTTP on a loopback port:
`POST /v3/payments` (honours `Idempotence-Key`: the same key returns the same payment), `GET /v3/payments/{id}`,
`POST /v3/payments/{id}/capture`, `POST /v3/payments/{id}/cancel`, `POST /v3/refunds`, `GET /v3/refunds/{id}`,
each behind HTTP Basic auth with the shop id and secret key. Like the real API it refuses a 54-FZ receipt whose
items do not add up to the payment amount.

A payment's `confirmation_url` is a Russian payment page on the fake (`/pay/{id}`) with the buttons «Оплатить»
and «Отменить»: they settle the payment, POST the notification to the shop (`webhook_url`, else the setting or
environment variable `FAKE_YOOKASSA_WEBHOOK_URL`, else `SITE_URL` + the notifications path) and send the
browser back to the payment's `return_url`.

Tests drive it through `FakeYooKassa` (see `orders/tests/yookassa_fixtures.py`): `requests` records every API
call, `set_status()` changes a payment silently, `pay()`/`cancel()` do what the buttons do, `notification()`
builds a notification body, `outage` answers every API call with that HTTP status, and `stall` (an Event) holds
API answers until it is set, to provoke client timeouts. `manage.py fake_yookassa --port 8010` runs it alone.
"""

from orders.fake_yookassa.server import NOTIFICATIONS_PATH, FakeApiError, FakeRequest, FakeYooKassa

__all__ = ["NOTIFICATIONS_PATH", "FakeApiError", "FakeRequest", "FakeYooKassa"]
