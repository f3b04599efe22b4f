"""The fake CDEK's shipping part: orders, print forms and status webhooks, in API v2's shapes.

- `POST /v2/orders` answers 202 with the order's `uuid` and a request `ACCEPTED`; the request becomes
  `SUCCESSFUL` (the order gets its `cdek_number` and the status `CREATED`) after `order_delay` seconds, or
  `INVALID` with CDEK's errors when the body lacks what CDEK needs or a test said so (`refuse_order`).
  `GET /v2/orders/{uuid}` and `GET /v2/orders?im_number=` read an order back.
- `POST /v2/print/barcodes` and `/v2/print/orders` make a print task (202); `GET …/{uuid}` says `PROCESSING`
  until `print_delay` has passed, then `READY` with a `url`; `GET …/{uuid}.pdf` is the PDF itself.
- `POST /v2/webhooks` subscribes a url to a type (one subscription per type, as CDEK keeps it), `GET` lists,
  `DELETE /v2/webhooks/{uuid}` unsubscribes. `order_status(...)` moves an order on and posts `ORDER_STATUS`
  to every subscriber, as CDEK does; `POST /fake/orders/{uuid or cdek number}/status` does it over HTTP for the
  demo (`manage.py fake_cdek_status`).
"""

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from delivery.fake_cdek.points import CITIES
from delivery.fake_cdek.printing import print_pdf

logger = logging.getLogger("dwc.fake_cdek")

#: Status codes the fake moves orders through, with CDEK's Russian names.
STATUS_NAMES = {
    "CREATED": "Создан",
    "RECEIVED_AT_SHIPMENT_WAREHOUSE": "Принят на склад отправителя",
    "READY_TO_SHIP_AT_SENDING_OFFICE": "Выдан на отправку в г. отправителе",
    "SENT_TO_RECIPIENT_CITY": "Отправлен в г. получателя",
    "ACCEPTED_AT_PICK_UP_POINT": "Принят в пункте выдачи",
    "TAKEN_BY_COURIER": "Выдан на доставку курьеру",
    "DELIVERED": "Вручен",
    "NOT_DELIVERED": "Не вручен",
    "RETURNED_TO_SENDER_WAREHOUSE": "Возвращен на склад отправителя",
    "REMOVED": "Удален",
}
PRINT_KINDS = ("barcodes", "orders")


def cdek_time(moment: float | None = None) -> str:
    """CDEK's timestamps: ISO 8601 with the offset written without a colon."""
    return datetime.fromtimestamp(moment or time.time(), UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class FakeOrder:
    uuid: str
    body: dict
    created: float
    request_uuid: str
    errors: list[dict] = field(default_factory=list)
    cdek_number: str = ""
    statuses: list[dict] = field(default_factory=list)

    @property
    def number(self) -> str:
        return str(self.body.get("number") or "")


@dataclass
class FakePrint:
    uuid: str
    kind: str
    order_uuids: list[str]
    copies: int
    created: float


class ShippingApi:
    """Mixed into `FakeCdek`: its lock, recorded requests and faults serve these calls too."""

    order_delay: float = 0.0
    print_delay: float = 0.0

    def _shipping_reset(self) -> None:
        self.orders: dict[str, FakeOrder] = {}
        self.prints: dict[str, FakePrint] = {}
        self.webhooks: dict[str, dict] = {}
        self.webhook_deliveries: list[dict] = []
        self._refusals: dict[str, list[dict]] = {}
        self._next_number = 1106000000
        self.order_delay = 0.0
        self.print_delay = 0.0

    # --- test and demo helpers ------------------------------------------------------------------------------
    def refuse_order(self, number: str, *, code: str = "v2_recipient_phone_invalid", message: str = "") -> None:
        """The order the shop registers under `number` ends `INVALID` with this error."""
        self._refusals[number] = [{"code": code, "message": message or "Invalid recipient phone number"}]

    def order_by(self, key: str) -> FakeOrder | None:
        """An order by its uuid, CDEK number or the shop's number."""
        with self._lock:
            self._resolve_all()
            found = self.orders.get(key)
            return found or next((o for o in self.orders.values() if key in (o.cdek_number, o.number)), None)

    def order_status(self, key: str, code: str, *, send: bool = True) -> FakeOrder:
        """CDEK moves the order on: a status is added and `ORDER_STATUS` goes to the subscribers (unless not)."""
        order = self.order_by(key)
        if order is None or not order.cdek_number:
            raise KeyError(f"no registered order {key}")
        with self._lock:
            order.statuses.append(self._status(code))
        if send:
            self.webhook_send(order)
        return order

    def webhook_send(self, order: FakeOrder) -> None:
        """Post the order's last status to every `ORDER_STATUS` subscriber, as CDEK's body says it."""
        status = order.statuses[-1]
        city = next((c for c in CITIES if c["city"] == status.get("city")), CITIES[0])
        body = {
            "type": "ORDER_STATUS",
            "date_time": cdek_time(),
            "uuid": order.uuid,
            "attributes": {
                "is_return": False,
                "is_reverse": False,
                "is_client_return": False,
                "cdek_number": order.cdek_number,
                "number": order.number,
                "code": status["code"],
                "status_code": status["code"],
                "status_date_time": status["date_time"],
                "city_name": city["city"],
                "city_code": str(city["code"]),
            },
        }
        for hook in [h for h in list(self.webhooks.values()) if h["type"] == "ORDER_STATUS"]:
            try:
                answer = requests.post(hook["url"], json=body, timeout=10)
                result = answer.status_code
            except requests.RequestException as error:
                result = str(error)
            logger.info("Fake CDEK posted %s of %s to %s: %s", status["code"], order.uuid, hook["url"], result)
            self.webhook_deliveries.append({"url": hook["url"], "body": body, "result": result})

    # --- the API --------------------------------------------------------------------------------------------
    def _shipping(self, method: str, path: str, query: dict, body) -> tuple[int, object] | None:
        parts = path.strip("/").split("/")[1:]  # without "v2"
        if parts[:1] == ["orders"]:
            if method == "POST" and len(parts) == 1:
                return self._order_create(body if isinstance(body, dict) else {})
            if method == "GET" and len(parts) == 1 and query.get("im_number"):
                return self._order_answer(self.order_by(query["im_number"]), "v2_entity_not_found_im_number")
            if method == "GET" and len(parts) == 2:
                found = self.order_by(parts[1])
                return self._order_answer(
                    found if found and found.uuid == parts[1] else None, "v2_entity_not_found"
                )
        if parts[:1] == ["print"] and len(parts) >= 2 and parts[1] in PRINT_KINDS:
            if method == "POST" and len(parts) == 2:
                return self._print_create(parts[1], body if isinstance(body, dict) else {})
            if method == "GET" and len(parts) == 3:
                return self._print_read(parts[1], parts[2])
        if parts[:1] == ["webhooks"]:
            return self._webhooks(method, parts[1:], body if isinstance(body, dict) else {})
        return None

    def _control(self, method: str, path: str, body) -> tuple[int, object] | None:
        """`POST /fake/orders/{key}/status {"code": …}`: the demo's way to move a parcel on."""
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 4 and parts[:2] == ["fake", "orders"] and parts[3] == "status":
            code = str((body or {}).get("code") or "")
            if code not in STATUS_NAMES:
                return 400, {
                    "errors": [{"code": "unknown_status", "message": f"Known: {', '.join(STATUS_NAMES)}"}]
                }
            try:
                order = self.order_status(parts[2], code)
            except KeyError as error:
                return 404, {"errors": [{"code": "v2_entity_not_found", "message": str(error)}]}
            return 200, {"uuid": order.uuid, "cdek_number": order.cdek_number, "code": code}
        return None

    def _order_create(self, body: dict) -> tuple[int, object]:
        order = FakeOrder(
            uuid=str(uuid.uuid4()), body=body, created=time.monotonic(), request_uuid=str(uuid.uuid4())
        )
        order.errors = self._refusals.pop(order.number, None) or self._order_check(body)
        with self._lock:
            self.orders[order.uuid] = order
        request = {"request_uuid": order.request_uuid, "type": "CREATE", "date_time": cdek_time(),
                   "state": "ACCEPTED"}  # fmt: skip
        return 202, {"entity": {"uuid": order.uuid}, "requests": [request]}

    def _order_check(self, body: dict) -> list[dict]:
        """What CDEK refuses in a new order (asynchronously, as the request's errors)."""
        errors = []

        def missing(name):
            errors.append({"code": "v2_field_is_empty", "message": f"Field is empty: {name}"})

        if body.get("tariff_code") not in (136, 137):
            errors.append(
                {"code": "v2_tariff_not_found", "message": f"Tariff {body.get('tariff_code')} is not available"}
            )
        recipient = body.get("recipient") or {}
        if not recipient.get("name"):
            missing("recipient.name")
        if not [p for p in recipient.get("phones") or [] if isinstance(p, dict) and p.get("number")]:
            missing("recipient.phones")
        if body.get("tariff_code") == 136:
            if not any(p["code"] == body.get("delivery_point") for p in self.points):
                errors.append({"code": "v2_delivery_point_not_found", "message": "Delivery point is not found"})
        elif not (body.get("to_location") or {}).get("address"):
            missing("to_location.address")
        packages = body.get("packages") or []
        if not packages:
            missing("packages")
        for index, package in enumerate(packages):
            if not isinstance(package.get("weight"), int) or package["weight"] <= 0:
                missing(f"packages[{index}].weight")
            for name in ("length", "width", "height"):
                if not isinstance(package.get(name), int) or package[name] <= 0:
                    missing(f"packages[{index}].{name}")
            if not package.get("items"):
                missing(f"packages[{index}].items")
        return errors

    def _resolve_all(self) -> None:
        """Requests older than `order_delay` get their answer: a number and `CREATED`, or their errors."""
        now = time.monotonic()
        for order in self.orders.values():
            if not order.cdek_number and not order.errors and now - order.created >= self.order_delay:
                self._next_number += 1
                order.cdek_number = str(self._next_number)
                order.statuses.append(self._status("CREATED"))

    def _order_state(self, order: FakeOrder) -> str:
        if time.monotonic() - order.created < self.order_delay:
            return "ACCEPTED"
        return "INVALID" if order.errors else "SUCCESSFUL"

    def _order_answer(self, order: FakeOrder | None, missing_code: str) -> tuple[int, object]:
        if order is None:
            return 404, {"requests": [{"type": "GET", "state": "INVALID", "date_time": cdek_time(),
                                       "errors": [{"code": missing_code, "message": "Order is not found"}]}]}  # fmt: skip
        state = self._order_state(order)
        entity = {
            "uuid": order.uuid,
            "type": order.body.get("type", 1),
            "is_return": False,
            "is_reverse": False,
            "is_client_return": False,
            **{
                k: order.body[k]
                for k in (
                    "number",
                    "tariff_code",
                    "comment",
                    "delivery_point",
                    "recipient",
                    "from_location",
                    "to_location",
                    "packages",
                )
                if k in order.body
            },  # fmt: skip
            "statuses": list(reversed(order.statuses)),  # CDEK lists the newest first
        }
        if order.cdek_number:
            entity["cdek_number"] = order.cdek_number
        request = {"request_uuid": order.request_uuid, "type": "CREATE", "date_time": cdek_time(), "state": state}
        if state == "INVALID":
            request["errors"] = order.errors
        return 200, {"entity": entity, "requests": [request]}

    def _status(self, code: str) -> dict:
        return {"code": code, "name": STATUS_NAMES[code], "date_time": cdek_time(), "city": "Москва"}

    def _print_create(self, kind: str, body: dict) -> tuple[int, object]:
        uuids = []
        for wanted in body.get("orders") or []:
            key = str((wanted or {}).get("order_uuid") or (wanted or {}).get("cdek_number") or "")
            order = self.order_by(key)
            if order is None or not order.cdek_number:
                return 400, {"requests": [{"type": "CREATE", "state": "INVALID", "date_time": cdek_time(),
                                           "errors": [{"code": "v2_entity_not_found", "message": f"Order {key} is not found"}]}]}  # fmt: skip
            uuids.append(order.uuid)
        if not uuids:
            return 400, {"errors": [{"code": "v2_field_is_empty", "message": "Field is empty: orders"}]}
        task = FakePrint(uuid=str(uuid.uuid4()), kind=kind, order_uuids=uuids,
                         copies=int(body.get("copy_count") or 1), created=time.monotonic())  # fmt: skip
        with self._lock:
            self.prints[task.uuid] = task
        return 202, {"entity": {"uuid": task.uuid},
                     "requests": [{"request_uuid": str(uuid.uuid4()), "type": "CREATE", "date_time": cdek_time(),
                                   "state": "ACCEPTED"}]}  # fmt: skip

    def _print_read(self, kind: str, key: str) -> tuple[int, object]:
        task = self.prints.get(key.removesuffix(".pdf"))
        if task is None or task.kind != kind:
            return 404, {"errors": [{"code": "v2_entity_not_found", "message": "Print form is not found"}]}
        ready = time.monotonic() - task.created >= self.print_delay
        if key.endswith(".pdf"):
            if not ready:
                return 404, {"errors": [{"code": "v2_entity_not_found", "message": "Print form is not ready"}]}
            orders = [self._order_answer(self.orders[u], "")[1]["entity"] for u in task.order_uuids]
            return 200, ("application/pdf", print_pdf(kind, orders, copies=task.copies))
        statuses = [{"code": "ACCEPTED", "name": "Принят", "date_time": cdek_time()}]
        statuses.append({"code": "READY" if ready else "PROCESSING", "name": "Сформирован" if ready else "В обработке",
                         "date_time": cdek_time()})  # fmt: skip
        entity = {"uuid": task.uuid, "orders": [{"order_uuid": u} for u in task.order_uuids],
                  "copy_count": task.copies, "statuses": statuses}  # fmt: skip
        if ready:
            entity["url"] = f"{self.api_url}/print/{kind}/{task.uuid}.pdf"
        return 200, {"entity": entity}

    def _webhooks(self, method: str, rest: list[str], body: dict) -> tuple[int, object] | None:
        if method == "POST" and not rest:
            if not body.get("url") or not body.get("type"):
                return 400, {"errors": [{"code": "v2_field_is_empty", "message": "Field is empty: url, type"}]}
            with self._lock:
                for key in [k for k, h in self.webhooks.items() if h["type"] == body["type"]]:
                    del self.webhooks[key]  # one subscription per type: a new one replaces the old
                hook = {"uuid": str(uuid.uuid4()), "url": body["url"], "type": body["type"]}
                self.webhooks[hook["uuid"]] = hook
            return 200, {"entity": {"uuid": hook["uuid"]},
                         "requests": [{"request_uuid": str(uuid.uuid4()), "type": "CREATE",
                                       "date_time": cdek_time(), "state": "SUCCESSFUL"}]}  # fmt: skip
        if method == "GET" and not rest:
            return 200, list(self.webhooks.values())
        if method == "GET" and len(rest) == 1 and rest[0] in self.webhooks:
            return 200, {"entity": self.webhooks[rest[0]]}
        if method == "DELETE" and len(rest) == 1 and rest[0] in self.webhooks:
            with self._lock:
                hook = self.webhooks.pop(rest[0])
            return 200, {"entity": {"uuid": hook["uuid"]},
                         "requests": [{"type": "DELETE", "state": "SUCCESSFUL", "date_time": cdek_time()}]}  # fmt: skip
        return None
