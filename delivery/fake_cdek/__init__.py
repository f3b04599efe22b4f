"""A local fake of the CDEK API v2 for tests and the offline demo.

It speaks the part of API v2 the shop uses, over real HTTP on a loopback port, in CDEK's own shapes:
`POST /v2/oauth/token` (client credentials, a bearer token living `token_lifetime` seconds),
`GET /v2/location/cities?city=…`, `GET /v2/deliverypoints?city_code=…|code=…` (a handful of Moscow and Saint
Petersburg points, some with a fitting room) and `POST /v2/calculator/tariff` (tariffs 136 to a pickup point and
137 by courier, priced by route and weight); for fulfilment (`shipping.py`) orders registered asynchronously
(`ACCEPTED` → `SUCCESSFUL` or `INVALID`), print forms as real PDFs (`printing.py`), webhook subscriptions and
status changes on command that post `ORDER_STATUS`. Every call but the token needs `Authorization: Bearer <token>`.

Tests drive it through `FakeCdek` (see `delivery/tests/cdek_fixtures.py`): `requests` records every call,
`outage = 500` answers every call with that status, `stall = threading.Event()` holds answers until it is set (a
hanging CDEK), `faults["POST /v2/orders"] = 500 | "hang"` fails one kind of call, `expire_tokens()` forgets issued
tokens, `refuse_order(number)` makes an order `INVALID`, `order_status(key, "DELIVERED")` moves a parcel on.
`manage.py fake_cdek --port 8020` runs it alone; `manage.py fake_cdek_status <order> <CODE>` moves a parcel.
"""

from delivery.fake_cdek.server import TARIFF_COURIER, TARIFF_PICKUP, FakeCdek, FakeCdekError, FakeCdekRequest

__all__ = ["TARIFF_COURIER", "TARIFF_PICKUP", "FakeCdek", "FakeCdekError", "FakeCdekRequest"]
