"""The fake YooKassa: its state, its API and the payment page's buttons, served by a threaded WSGI server."""

import base64
import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs
from urllib.request import ProxyHandler, Request, build_opener

from config.fake_server import FakeServer, request_body, request_headers, respond
from orders.fake_yookassa.page import payment_page_html

logger = logging.getLogger("dwc.fake_yookassa")

NOTIFICATIONS_PATH = "/api/v1/payments/yookassa/notifications/"
# Methods that can hold money (`capture: false`) and for how long a hold lasts before YooKassa cancels it
# (`expired_on_capture`): bank cards 7 days, SberPay 6 hours, T-Pay 7 days. SBP cannot hold: it is refused.
HOLD_PERIODS = {"bank_card": timedelta(days=7), "sberbank": timedelta(hours=6), "tinkoff_bank": timedelta(days=7)}
METHOD_TITLES = {"bank_card": "Bank card *4444", "sberbank": "SberPay", "tinkoff_bank": "T-Pay", "sbp": "СБП"}


@dataclass
class FakeRequest:
    """One API call as the fake received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict | None = None


class FakeApiError(Exception):
    def __init__(self, status: int, code: str, description: str, parameter: str | None = None):
        super().__init__(description)
        self.status, self.code, self.description, self.parameter = status, code, description, parameter

    def as_dict(self) -> dict:
        body = {"type": "error", "id": str(uuid.uuid4()), "code": self.code, "description": self.description}
        if self.parameter:
            body["parameter"] = self.parameter
        return body


def _now(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _money(value, parameter: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise FakeApiError(400, "invalid_request", f"Invalid {parameter}", parameter) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise FakeApiError(400, "invalid_request", f"Invalid {parameter}", parameter)
    return amount


@dataclass
class FakeYooKassa(FakeServer):
    shop_id: str = "demo-shop"
    secret_key: str = "demo-secret"
    webhook_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    payments: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    receipts: dict[str, dict] = field(default_factory=dict)  # receipts sent on their own (settlement receipts)
    requests: list[FakeRequest] = field(default_factory=list)
    notifications: list[dict] = field(default_factory=list)  # {"url", "body", "status"} of each one sent
    outage: int | None = None
    stall: threading.Event | None = None
    refund_status: str = "succeeded"  # what new refunds come out as ("canceled": YooKassa refuses them)

    thread_name = "fake-yookassa"
    logger_name = "dwc.fake_yookassa"

    def __post_init__(self):
        self._lock = threading.RLock()
        self._idempotence: dict[tuple[str, str], dict] = {}
        self._senders: list[threading.Thread] = []

    # --- running (start, stop: FakeServer) --------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return f"{self.url}/v3"

    def reset(self) -> None:
        self.notifications_wait()
        with self._lock:
            self.payments.clear()
            self.refunds.clear()
            self.receipts.clear()
            self.requests.clear()
            self.notifications.clear()
            self._idempotence.clear()
            self.outage = None
            self.refund_status = "succeeded"
            self.release_stall()
            self.webhook_url = None

    # --- test helpers (and api_requests: FakeServer) -----------------------------------------------------------
    def payment(self, payment_id: str) -> dict:
        return json.loads(json.dumps(self.payments[payment_id]))

    def set_status(self, payment_id: str, status: str) -> dict:
        """Change a payment the way YooKassa would, without telling the shop."""
        with self._lock:
            payment = self.payments[payment_id]
            payment["status"] = status
            if status in ("succeeded", "waiting_for_capture"):
                payment["paid"] = True
                method = payment.get("payment_method_type") or "bank_card"
                payment["payment_method"] = {"type": method, "id": payment_id, "saved": False,
                                             "title": METHOD_TITLES.get(method, method)}  # fmt: skip
            if status == "waiting_for_capture":
                # Until then the shop may capture or cancel the hold; afterwards YooKassa cancels it itself.
                payment["expires_at"] = _now(
                    HOLD_PERIODS.get(payment["payment_method"]["type"], timedelta(days=7))
                )
            if status == "succeeded":
                payment["captured_at"] = _now()
                payment["refundable"] = True
                payment["income_amount"] = dict(payment["amount"])
                if payment.get("receipt_registration"):
                    payment["receipt_registration"] = "succeeded"
            if status == "canceled":
                payment["paid"] = False
                payment.pop("expires_at", None)
                payment.setdefault("cancellation_details", {"party": "yoo_money", "reason": "canceled_by_user"})
            return self.payment(payment_id)

    def hold(self, payment_id: str, method: str = "bank_card") -> int | None:
        """What «Оплатить» does for a payment with `capture: false`: the money is held, the shop is told."""
        with self._lock:
            self.payments[payment_id]["payment_method_type"] = method
        self.set_status(payment_id, "waiting_for_capture")
        return self.notify(self.notification(payment_id, "payment.waiting_for_capture"))

    def expire(self, payment_id: str) -> dict:
        """A hold that ran out (or that the bank dropped): canceled with `expired_on_capture`, without telling the
        shop, as a capture would find it."""
        with self._lock:
            self.payments[payment_id]["cancellation_details"] = {
                "party": "yoo_money",
                "reason": "expired_on_capture",
            }
            return self.set_status(payment_id, "canceled")

    def _expire_lapsed(self, payment: dict) -> None:
        """Holds whose `expires_at` passed are canceled when next touched, as YooKassa does on its own."""
        expires = payment.get("expires_at")
        if payment["status"] == "waiting_for_capture" and expires and _moment(expires) <= datetime.now(UTC):
            self.expire(payment["id"])

    def notify_later(self, body: dict) -> None:
        """Send a notification after the answer, from a thread of its own (as YooKassa does, asynchronously)."""
        sender = threading.Thread(target=self.notify, args=(body,), name="fake-yookassa-notify", daemon=True)
        self._senders.append(sender)
        sender.start()

    def notifications_wait(self, timeout: float = 10) -> None:
        """Wait for the notifications sent after answers (tests call it before reading `notifications`)."""
        while self._senders:
            self._senders.pop().join(timeout)

    def notification(self, obj: dict | str, event: str | None = None) -> dict:
        """The notification body YooKassa sends about a payment (by id or as a dict) or a refund (a dict)."""
        if isinstance(obj, str):
            obj = self.payment(obj)
        if event is None:
            kind = "refund" if "payment_id" in obj else "payment"
            event = f"{kind}.{obj['status']}"
        return {"type": "notification", "event": event, "object": obj}

    def pay(self, payment_id: str) -> int | None:
        """What «Оплатить» does: the payment succeeds and the shop is told. Returns the shop's HTTP status."""
        self.set_status(payment_id, "succeeded")
        return self.notify(self.notification(payment_id, "payment.succeeded"))

    def cancel(self, payment_id: str) -> int | None:
        """What «Отменить» does: the payment is canceled and the shop is told."""
        self.set_status(payment_id, "canceled")
        return self.notify(self.notification(payment_id, "payment.canceled"))

    def notify(self, body: dict) -> int | None:
        """POST a notification to the shop as YooKassa does; returns the HTTP status (None if unreachable)."""
        url = self.notification_url()
        request = Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        status = None
        try:
            # A direct connection: a proxy from the environment must not carry loopback traffic.
            with build_opener(ProxyHandler({})).open(request, timeout=30) as response:
                status = response.status
        except OSError as error:
            status = getattr(error, "code", None)
            logger.warning("Notification to %s failed: %s", url, error)
        self.notifications.append({"url": url, "body": body, "status": status})
        return status

    def notification_url(self) -> str:
        if self.webhook_url:
            return self.webhook_url
        import os

        from django.conf import settings

        configured = getattr(settings, "FAKE_YOOKASSA_WEBHOOK_URL", "") or os.environ.get(
            "FAKE_YOOKASSA_WEBHOOK_URL"
        )
        return configured or f"{settings.SITE_URL}{NOTIFICATIONS_PATH}"

    # --- the API --------------------------------------------------------------------------------------------
    def wsgi(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        try:
            if path.startswith("/v3/"):
                status, body = self._api(environ, method, path[3:])
                return _respond(start_response, status, json.dumps(body), "application/json")
            if path.startswith("/pay/"):
                return self._page(environ, start_response, method, path)
            raise FakeApiError(404, "not_found", "Not found")
        except FakeApiError as error:
            return _respond(start_response, error.status, json.dumps(error.as_dict()), "application/json")

    def _api(self, environ, method: str, path: str) -> tuple[int, dict]:
        headers, body = self._receive(environ, method, path)
        parts = path.strip("/").split("/")
        if method == "POST" and parts in (["payments"], ["refunds"], ["receipts"]):
            return 200, self._create(parts[0], headers, body)
        if len(parts) == 2 and method == "GET":
            store = {"payments": self.payments, "refunds": self.refunds, "receipts": self.receipts}.get(parts[0])
            if store is self.payments and parts[1] in store:
                with self._lock:
                    self._expire_lapsed(store[parts[1]])
            if store is not None and parts[1] in store:
                return 200, json.loads(json.dumps(store[parts[1]]))
            raise FakeApiError(404, "not_found", "Object not found")
        if len(parts) == 3 and parts[0] == "payments" and method == "POST" and parts[2] in ("capture", "cancel"):
            return 200, self._settle(path, parts[1], parts[2], headers, body)
        raise FakeApiError(404 if method == "GET" else 405, "not_found", "Unknown API method")

    def _receive(self, environ, method: str, path: str) -> tuple[dict[str, str], dict | None]:
        """Read and record an API call, then stall, fail or refuse it as the test asked."""
        headers = request_headers(environ)
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        raw = request_body(environ) if method == "POST" else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self.requests.append(FakeRequest(method=method, path=path, headers=headers, body=body))
        self.hold_if_stalled()
        if self.outage:
            raise FakeApiError(self.outage, "internal_server_error", "Service is temporarily unavailable")
        self._check_auth(headers.get("Authorization", ""))
        return headers, body

    @staticmethod
    def _idempotence_key(headers: dict[str, str]) -> str:
        key = headers.get("Idempotence-Key")
        if not key:
            raise FakeApiError(400, "invalid_request", "Idempotence-Key header is required", "Idempotence-Key")
        return key

    def _create(self, kind: str, headers: dict[str, str], body) -> dict:
        """POST /payments, /refunds or /receipts: the same Idempotence-Key gives the same object."""
        key = self._idempotence_key(headers)
        if not isinstance(body, dict):
            raise FakeApiError(400, "invalid_request", "Request body is not a JSON object")
        with self._lock:
            known = self._idempotence.get((kind, key))
            if known is not None:
                return json.loads(json.dumps(known))
            create = {"payments": self._payment_create, "refunds": self._refund_create}.get(
                kind, self._receipt_create
            )
            created = create(body)
            self._idempotence[(kind, key)] = created
            return json.loads(json.dumps(created))

    def _settle(self, path: str, payment_id: str, action: str, headers: dict[str, str], body) -> dict:
        """POST /payments/{id}/capture or /cancel of a held payment; the shop is told afterwards."""
        key = self._idempotence_key(headers)
        with self._lock:
            known = self._idempotence.get((path, key))
            if known is not None:
                return json.loads(json.dumps(known))
            payment = self.payments.get(payment_id)
            if payment is None:
                raise FakeApiError(404, "not_found", "Payment not found")
            self._expire_lapsed(payment)
            if payment["status"] != "waiting_for_capture":
                raise FakeApiError(400, "invalid_request", f"Payment is {payment['status']}", "payment_id")
            if action == "capture":
                self._capture_check(payment, body if isinstance(body, dict) else {})
                answer = self.set_status(payment_id, "succeeded")
            else:
                payment["cancellation_details"] = {"party": "merchant", "reason": "canceled_by_merchant"}
                answer = self.set_status(payment_id, "canceled")
            self._idempotence[(path, key)] = answer
        self.notify_later(self.notification(answer["id"], f"payment.{answer['status']}"))
        return json.loads(json.dumps(answer))

    def _capture_check(self, payment: dict, body: dict) -> None:
        """A capture takes the whole hold or part of it (`amount`), with a receipt for what is taken."""
        held = Decimal(payment["amount"]["value"])
        amount = body.get("amount")
        value = held if amount is None else _money((amount or {}).get("value"), "amount.value")
        if value <= 0 or value > held or (amount and amount.get("currency") != payment["amount"]["currency"]):
            raise FakeApiError(400, "invalid_request", "Capture amount exceeds the payment", "amount")
        if "receipt" in body:
            self._receipt_check(body["receipt"], value)
            payment["receipt_registration"] = "pending"
        payment["amount"] = {"value": f"{value:.2f}", "currency": payment["amount"]["currency"]}

    def _check_auth(self, header: str) -> None:
        expected = base64.b64encode(f"{self.shop_id}:{self.secret_key}".encode()).decode()
        if header != f"Basic {expected}":
            raise FakeApiError(401, "invalid_credentials", "Login or password is incorrect")

    def _payment_create(self, body: dict) -> dict:
        amount = body.get("amount") or {}
        value = _money(amount.get("value"), "amount.value")
        if value <= 0 or amount.get("currency") not in ("RUB",):
            raise FakeApiError(400, "invalid_request", "Invalid amount", "amount")
        confirmation = body.get("confirmation") or {}
        if confirmation.get("type") != "redirect" or not confirmation.get("return_url"):
            raise FakeApiError(400, "invalid_request", "Redirect confirmation needs return_url", "confirmation")
        if "receipt" in body:
            self._receipt_check(body["receipt"], value)
        payment_id = f"{uuid.uuid4().hex[:8]}-000f-5000-9000-{uuid.uuid4().hex[:12]}"
        payment = {
            "id": payment_id,
            "status": "pending",
            "paid": False,
            "amount": {"value": f"{value:.2f}", "currency": amount["currency"]},
            "confirmation": {
                "type": "redirect",
                "return_url": confirmation["return_url"],
                "confirmation_url": f"{self.url}/pay/{payment_id}",
            },
            "created_at": _now(),
            "description": body.get("description", ""),
            "metadata": body.get("metadata") or {},
            "recipient": {"account_id": self.shop_id, "gateway_id": "100500"},
            "refundable": False,
            "test": True,
        }
        if "receipt" in body:
            payment["receipt_registration"] = "pending"
        method = (body.get("payment_method_data") or {}).get("type")
        if body.get("capture") is not True:
            payment["capture"] = False  # remembered to decide between succeeded and waiting_for_capture
            if method is not None and method not in HOLD_PERIODS:
                raise FakeApiError(
                    400,
                    "invalid_request",
                    f"Two-stage payments are not available for {method}",
                    "payment_method_data",
                )
        if method is not None:
            payment["payment_method_type"] = method
        self.payments[payment_id] = payment
        return payment

    @staticmethod
    def _receipt_check(receipt: dict, value: Decimal) -> None:
        customer = receipt.get("customer") or {}
        if not (customer.get("phone") or customer.get("email")):
            raise FakeApiError(
                400, "invalid_request", "Receipt customer needs a phone or email", "receipt.customer"
            )
        items = receipt.get("items") or []
        if not items:
            raise FakeApiError(400, "invalid_request", "Receipt has no items", "receipt.items")
        total = Decimal("0")
        for item in items:
            # vat_code 11 and 12 are VAT 22 % and 22/122 (from 2026).
            if not item.get("description") or item.get("vat_code") not in range(1, 13):
                raise FakeApiError(400, "invalid_request", "Invalid receipt item", "receipt.items")
            quantity = Decimal(str(item.get("quantity", 0)))
            if quantity <= 0:
                raise FakeApiError(400, "invalid_request", "Invalid receipt item quantity", "receipt.items")
            total += _money((item.get("amount") or {}).get("value"), "receipt.items.amount") * quantity
        if total != value:
            raise FakeApiError(
                400, "invalid_request", f"Receipt items add up to {total}, the payment is {value}", "receipt"
            )

    def _refund_create(self, body: dict) -> dict:
        payment = self.payments.get(body.get("payment_id") or "")
        if payment is None:
            raise FakeApiError(400, "invalid_request", "Payment not found", "payment_id")
        if payment["status"] != "succeeded":
            raise FakeApiError(400, "invalid_request", "Payment cannot be refunded", "payment_id")
        value = _money((body.get("amount") or {}).get("value"), "amount.value")
        refunded = Decimal((payment.get("refunded_amount") or {}).get("value", "0"))
        if value <= 0 or refunded + value > Decimal(payment["amount"]["value"]):
            raise FakeApiError(400, "invalid_request", "Refund amount exceeds the payment", "amount")
        if "receipt" in body:
            self._receipt_check(body["receipt"], value)
        refund_id = f"{uuid.uuid4().hex[:8]}-0015-5000-8000-{uuid.uuid4().hex[:12]}"
        refund = {
            "id": refund_id,
            "payment_id": payment["id"],
            "status": self.refund_status,
            "created_at": _now(),
            "amount": {"value": f"{value:.2f}", "currency": payment["amount"]["currency"]},
            "description": body.get("description", ""),
        }
        self.refunds[refund_id] = refund
        if self.refund_status == "canceled":
            refund["cancellation_details"] = {"party": "yoo_money", "reason": "rejected_by_payee"}
            return refund
        payment["refunded_amount"] = {
            "value": f"{refunded + value:.2f}",
            "currency": payment["amount"]["currency"],
        }
        return refund

    def _receipt_create(self, body: dict) -> dict:
        """A settlement receipt: `type: payment` of a succeeded payment, its items settled by `settlements`."""
        if body.get("type") not in ("payment", "refund"):
            raise FakeApiError(400, "invalid_request", "Invalid receipt type", "type")
        payment = self.payments.get(body.get("payment_id") or "")
        if payment is None or payment["status"] != "succeeded":
            raise FakeApiError(400, "invalid_request", "Payment not found or not succeeded", "payment_id")
        settlements = body.get("settlements") or []
        if not settlements:
            raise FakeApiError(400, "invalid_request", "Receipt has no settlements", "settlements")
        settled = sum(
            (_money((entry.get("amount") or {}).get("value"), "settlements.amount") for entry in settlements),
            Decimal("0"),
        )
        self._receipt_check(body, settled)
        receipt_id = f"{uuid.uuid4().hex[:8]}-0016-5000-8000-{uuid.uuid4().hex[:12]}"
        receipt = {
            "id": receipt_id,
            "type": body["type"],
            "payment_id": payment["id"],
            "status": "succeeded",
            "items": body.get("items") or [],
            "settlements": settlements,
            "tax_system_code": body.get("tax_system_code"),
        }
        self.receipts[receipt_id] = receipt
        return receipt

    # --- the payment page -----------------------------------------------------------------------------------
    def _page(self, environ, start_response, method: str, path: str):
        parts = path.strip("/").split("/")
        payment = self.payments.get(parts[1]) if len(parts) >= 2 else None
        if payment is None:
            return _respond(start_response, 404, "<h1>Платёж не найден</h1>", "text/html; charset=utf-8")
        if method == "POST" and len(parts) == 3 and parts[2] in ("succeed", "cancel"):
            if payment["status"] == "pending":
                if parts[2] == "cancel":
                    self.cancel(payment["id"])
                elif payment.get("capture") is False:
                    chosen = _form_field(environ, "payment_method")
                    self.hold(payment["id"], chosen if chosen in HOLD_PERIODS else "bank_card")
                else:
                    self.pay(payment["id"])
            headers = [("Location", payment["confirmation"]["return_url"]), ("Content-Length", "0")]
            start_response("303 See Other", headers)
            return [b""]
        if method != "GET" or len(parts) != 2:
            return _respond(start_response, 405, "", "text/plain")
        return _respond(start_response, 200, payment_page_html(payment), "text/html; charset=utf-8")


def _respond(start_response, status: int, body: str, content_type: str):
    return respond(start_response, status, body.encode(), content_type)


def _form_field(environ, name: str) -> str:
    raw = request_body(environ)
    return (parse_qs(raw.decode(errors="replace")).get(name) or [""])[0]
