"""The fake CDEK: OAuth, cities, pickup points, the tariff calculator and (`shipping`) orders, print forms and
webhooks, served by a threaded WSGI server."""

import json
import math
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from config.fake_server import FakeServer, request_body, request_headers, request_query, respond
from delivery.fake_cdek.points import CITIES, MOSCOW, POINTS, SAINT_PETERSBURG
from delivery.fake_cdek.shipping import ShippingApi

# Tariffs the shop uses: «Посылка склад-склад» (to a pickup point) and «Посылка склад-дверь» (courier).
TARIFF_PICKUP = 136
TARIFF_COURIER = 137
TARIFF_NAMES = {TARIFF_PICKUP: "Посылка склад-склад", TARIFF_COURIER: "Посылка склад-дверь"}
# Base price of the first 500 g and the days on the road, by (from, to) city; unknown pairs take the long road.
ROUTES = {
    (MOSCOW, MOSCOW): (250, 1, 2),
    (SAINT_PETERSBURG, SAINT_PETERSBURG): (250, 1, 2),
    (MOSCOW, SAINT_PETERSBURG): (390, 2, 3),
    (SAINT_PETERSBURG, MOSCOW): (390, 2, 3),
}
LONG_ROAD = (520, 3, 6)
STEP_GRAMS, STEP_PRICE, COURIER_EXTRA = 500, 60, 150


@dataclass
class FakeCdekRequest:
    """One API call as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict | None = None


class FakeCdekError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def as_dict(self) -> dict:
        # The shape API v2 answers errors in.
        return {"errors": [{"code": self.code, "message": self.message}]}


@dataclass
class FakeCdek(FakeServer, ShippingApi):
    client_id: str = "demo-cdek"
    client_secret: str = "demo-cdek-secret"
    host: str = "127.0.0.1"
    port: int = 0
    token_lifetime: int = 3599  # seconds, as CDEK gives
    requests: list[FakeCdekRequest] = field(default_factory=list)
    outage: int | None = None  # answer every API call with this HTTP status
    stall: threading.Event | None = None  # hold every answer until set (a hanging CDEK)
    # Faults of some calls only: "METHOD /v2/path-prefix" -> an HTTP status, or "hang" (held until the fake is
    # reset or stopped, or 60 s pass).
    faults: dict[str, int | str] = field(default_factory=dict)
    points: list[dict] = field(default_factory=lambda: json.loads(json.dumps(POINTS)))

    thread_name = "fake-cdek"
    logger_name = "dwc.fake_cdek"

    def __post_init__(self):
        self._lock = threading.RLock()
        self._tokens: dict[str, float] = {}  # access token -> expiry (monotonic)
        self._shipping_reset()
        self._hang_release = threading.Event()

    # --- running (start: FakeServer) --------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return f"{self.url}/v2"

    def stop(self) -> None:
        self._hang_release.set()
        super().stop()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._tokens.clear()
            self.outage = None
            self.release_stall()
            self.token_lifetime = 3599
            self.points = json.loads(json.dumps(POINTS))
            self.faults.clear()
            self._hang_release.set()
            self._hang_release = threading.Event()
            self._shipping_reset()

    # --- test helpers (and api_requests: FakeServer) -----------------------------------------------------------
    def expire_tokens(self) -> None:
        """Forget every token issued, as CDEK does when one expires."""
        with self._lock:
            self._tokens.clear()

    # --- the API --------------------------------------------------------------------------------------------
    def wsgi(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        try:
            status, body = self._api(environ, method, path)
        except FakeCdekError as error:
            status, body = error.status, error.as_dict()
        if isinstance(body, tuple):  # (content type, bytes): a print form's PDF
            content_type, data = body
        else:
            content_type, data = "application/json;charset=UTF-8", json.dumps(body, ensure_ascii=False).encode()
        return respond(start_response, status, data, content_type)

    def _api(self, environ, method: str, path: str) -> tuple[int, object]:
        headers = request_headers(environ)
        query = request_query(environ)
        raw = request_body(environ) if method in ("POST", "PATCH") else b""
        content_type = environ.get("CONTENT_TYPE", "")
        body = None
        if raw and "json" in content_type:
            try:
                body = json.loads(raw)
            except ValueError:
                raise FakeCdekError(400, "v2_bad_request", "Request body is not valid JSON") from None
        elif raw:
            body = {key: values[-1] for key, values in parse_qs(raw.decode()).items()}
        self.requests.append(FakeCdekRequest(method=method, path=path, query=query, headers=headers, body=body))
        self.hold_if_stalled()
        fault = next((f for key, f in list(self.faults.items()) if f"{method} {path}".startswith(key)), None)
        if fault == "hang":
            self._hang_release.wait(timeout=60)
        if self.outage or isinstance(fault, int):
            raise FakeCdekError(self.outage or fault, "v2_internal_error", "Internal server error")
        if path.startswith("/fake/"):
            answer = self._control(method, path, body)
            if answer is not None:
                return answer
        if path == "/v2/oauth/token" and method == "POST":
            return 200, self._token({**query, **(body or {})})
        self._check_token(headers.get("Authorization", ""))
        answer = self._shipping(method, path, query, body)
        if answer is not None:
            return answer
        if path == "/v2/location/cities" and method == "GET":
            return 200, self._cities(query)
        if path == "/v2/deliverypoints" and method == "GET":
            return 200, self._points(query)
        if path == "/v2/calculator/tariff" and method == "POST":
            return 200, self._tariff(body if isinstance(body, dict) else {})
        raise FakeCdekError(404 if method == "GET" else 405, "v2_not_found", "Unknown API method")

    def _token(self, params: dict) -> dict:
        if params.get("grant_type") != "client_credentials":
            raise FakeCdekError(400, "unsupported_grant_type", "Unsupported grant type")
        if params.get("client_id") != self.client_id or params.get("client_secret") != self.client_secret:
            raise FakeCdekError(401, "invalid_client", "Bad credentials")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_lifetime
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.token_lifetime,
            "scope": "order:all payment:all",
            "jti": secrets.token_hex(16),
        }

    def _check_token(self, header: str) -> None:
        token = header.removeprefix("Bearer ").strip()
        with self._lock:
            expires = self._tokens.get(token)
        if expires is None or expires < time.monotonic():
            raise FakeCdekError(401, "v2_token_expired", "Token is expired or invalid")

    @staticmethod
    def _cities(query: dict) -> list[dict]:
        name = (query.get("city") or "").strip().casefold()
        code = query.get("code")
        countries = [c for c in (query.get("country_codes") or "").split(",") if c]
        found = [
            city
            for city in CITIES
            if (not name or city["city"].casefold() == name)
            and (not code or str(city["code"]) == code)
            and (not countries or city["country_code"] in countries)
        ]
        return found[: int(query.get("size") or 1000)]

    def _points(self, query: dict) -> list[dict]:
        found = [
            point
            for point in self.points
            if query.get("code") in (None, point["code"])
            and query.get("city_code") in (None, str(point["location"]["city_code"]))
            and query.get("type") in (None, "ALL", point["type"])
            and (query.get("is_dressing_room") in (None, "") or str(point["is_dressing_room"]).lower() == query["is_dressing_room"].lower())
        ]  # fmt: skip
        return json.loads(json.dumps(found))

    @staticmethod
    def _location_code(location) -> int | None:
        if not isinstance(location, dict):
            return None
        if location.get("code") is not None:
            return int(location["code"]) if str(location["code"]).isdigit() else None
        city = str(location.get("city") or location.get("address") or "").casefold()
        return next((c["code"] for c in CITIES if c["city"].casefold() in city), None) if city else None

    def _tariff(self, body: dict) -> dict:
        tariff = body.get("tariff_code")
        if tariff not in TARIFF_NAMES:
            raise FakeCdekError(400, "v2_tariff_not_found", f"Tariff {tariff} is not available")
        source, target = (
            self._location_code(body.get("from_location")),
            self._location_code(body.get("to_location")),
        )
        if source is None or target is None or not any(c["code"] == target for c in CITIES):
            raise FakeCdekError(400, "v2_location_not_found", "Location is not found")
        packages = body.get("packages") or []
        weights = [p.get("weight") for p in packages if isinstance(p, dict)]
        if not weights or not all(isinstance(w, int) and w > 0 for w in weights):
            raise FakeCdekError(400, "v2_field_is_empty", "packages[].weight is required")
        weight = sum(weights)
        base, period_min, period_max = ROUTES.get((source, target), LONG_ROAD)
        price = base + STEP_PRICE * max(math.ceil(weight / STEP_GRAMS) - 1, 0)
        if tariff == TARIFF_COURIER:
            price += COURIER_EXTRA
        return {
            "delivery_sum": float(price),
            "period_min": period_min,
            "period_max": period_max,
            "calendar_min": period_min,
            "calendar_max": period_max + 1,
            "weight_calc": weight,
            "services": [],
            "total_sum": float(price),
            "currency": "RUB",
        }
