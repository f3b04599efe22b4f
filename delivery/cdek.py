"""A small client of CDEK API v2: OAuth client credentials, cities, pickup points, the tariff calculator, and
for fulfilment orders, print forms and webhook subscriptions.

The access token lives in the shared cache until shortly before CDEK says it expires, so every worker uses one
token. Calls have a short timeout (`CDEK_TIMEOUT`): a slow or dead CDEK is `CdekUnavailable` at once, and the
callers fall back (see `delivery.services`). A refusal of the request itself (an unknown location, a bad
field) is `CdekRefused` with CDEK's error codes.
"""

import hashlib
import logging

import requests
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("dwc.delivery")

# Refresh the token a little before CDEK would refuse it.
TOKEN_MARGIN_SECONDS = 60


class CdekError(Exception):
    """CDEK could not give an answer."""


class CdekUnavailable(CdekError):
    """Not configured, unreachable, too slow, or failing on its side (5xx, a body that is not JSON)."""


class CdekRefused(CdekError):
    """CDEK refused the request itself (4xx): `codes` are its error codes."""

    def __init__(self, message: str, *, status: int, codes: list[str], errors: list[dict] | None = None):
        super().__init__(message)
        self.status = status
        self.codes = codes
        self.errors = errors or [{"code": code, "message": ""} for code in codes]


def request_errors(answer) -> list[dict]:
    """CDEK's errors of an answer: its own `errors`, and those of its `requests` (an `INVALID` request)."""
    if not isinstance(answer, dict):
        return []
    found = [e for e in answer.get("errors") or [] if isinstance(e, dict)]
    for request in answer.get("requests") or []:
        if isinstance(request, dict):
            found += [e for e in request.get("errors") or [] if isinstance(e, dict)]
    return found


def request_error_codes(answer) -> list[str]:
    return [str(error.get("code")) for error in request_errors(answer)]


class CdekClient:
    def __init__(self, *, api_url: str, client_id: str, client_secret: str, timeout: float):
        self.api_url = api_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> "CdekClient":
        return cls(
            api_url=settings.CDEK_API_URL,
            client_id=settings.CDEK_CLIENT_ID,
            client_secret=settings.CDEK_CLIENT_SECRET,
            timeout=settings.CDEK_TIMEOUT,
        )

    @property
    def configured(self) -> bool:
        return bool(self.api_url and self.client_id and self.client_secret)

    # --- the API --------------------------------------------------------------------------------------------
    def cities(self, *, name: str, country_code: str = "RU") -> list[dict]:
        """`GET /v2/location/cities`: the cities called `name` (CDEK's `code` is what other calls take)."""
        return self._call("GET", "/location/cities", params={"city": name, "country_codes": country_code})

    def delivery_points(self, *, city_code: int | None = None, code: str | None = None) -> list[dict]:
        """`GET /v2/deliverypoints`: pickup points (type PVZ) of a city, or the one point with this code."""
        params: dict = {"type": "PVZ"}
        if city_code is not None:
            params["city_code"] = city_code
        if code is not None:
            params["code"] = code
        return self._call("GET", "/deliverypoints", params=params)

    def tariff(self, *, tariff_code: int, from_code: int, to_code: int, weight_grams: int) -> dict:
        """`POST /v2/calculator/tariff`: `delivery_sum`, `period_min`, `period_max` of one parcel."""
        body = {
            "type": 1,  # an online store's shipment
            "currency": 1,  # rubles
            "tariff_code": tariff_code,
            "from_location": {"code": from_code},
            "to_location": {"code": to_code},
            "packages": [{"weight": weight_grams}],
        }
        return self._call("POST", "/calculator/tariff", json=body)

    def order_create(self, body: dict) -> dict:
        """`POST /v2/orders`: CDEK takes the order for registration (202, the request `ACCEPTED`) and answers
        `entity.uuid`; whether it was registered is read back later (`order_get`)."""
        return self._call("POST", "/orders", json=body)

    def order_get(self, uuid: str) -> dict:
        """`GET /v2/orders/{uuid}`: the order (`entity`: `cdek_number`, `statuses` newest first) and the state of
        its requests (`ACCEPTED`, `SUCCESSFUL`, `INVALID` with `errors`)."""
        return self._call("GET", f"/orders/{uuid}")

    def order_find(self, number: str) -> dict | None:
        """`GET /v2/orders?im_number=`: the order the shop registered under its own number, or None."""
        try:
            return self._call("GET", "/orders", params={"im_number": number})
        except CdekRefused as refusal:
            if refusal.status == 404 or any("not_found" in code for code in refusal.codes):
                return None
            raise

    def print_create(self, kind: str, *, order_uuids: list[str], copies: int = 1) -> str:
        """`POST /v2/print/barcodes` (labels) or `/v2/print/orders` (waybills): a print task's uuid."""
        body = {"orders": [{"order_uuid": uuid} for uuid in order_uuids], "copy_count": copies}
        if kind == "barcodes":
            body["format"] = "A6"  # a 100×150 label printer's page
        answer = self._call("POST", f"/print/{kind}", json=body)
        return answer["entity"]["uuid"]

    def print_get(self, kind: str, uuid: str) -> dict:
        """`GET /v2/print/{kind}/{uuid}`: the task's `statuses` and, once `READY`, its `url`."""
        return self._call("GET", f"/print/{kind}/{uuid}")["entity"]

    def print_download(self, url: str, *, timeout: float | None = None) -> bytes:
        """The PDF of a ready print task (its `url` needs the token too); a big PDF may take `timeout`."""
        if not self.configured:
            raise CdekUnavailable("CDEK is not configured")
        try:
            response = requests.get(
                url, headers={"Authorization": f"Bearer {self.token()}"}, timeout=timeout or self.timeout
            )
        except requests.RequestException as error:
            raise CdekUnavailable(f"CDEK is unreachable: {error}") from error
        if not response.ok or not response.content.startswith(b"%PDF"):
            raise CdekUnavailable(f"CDEK gave no PDF ({response.status_code})")
        return response.content

    def webhook_subscribe(self, *, url: str, type: str = "ORDER_STATUS") -> str:  # noqa: A002 - CDEK's name
        """`POST /v2/webhooks`: CDEK posts events of `type` to `url` (one subscription per type)."""
        return self._call("POST", "/webhooks", json={"url": url, "type": type})["entity"]["uuid"]

    def webhooks(self) -> list[dict]:
        """`GET /v2/webhooks`: the subscriptions (`uuid`, `url`, `type`)."""
        return self._call("GET", "/webhooks")

    # --- plumbing -------------------------------------------------------------------------------------------
    @property
    def _token_key(self) -> str:
        ident = hashlib.sha256(f"{self.api_url}|{self.client_id}".encode()).hexdigest()[:24]
        return f"cdek:token:{ident}"

    def token(self) -> str:
        """The OAuth access token, from the shared cache or fresh from `POST /v2/oauth/token`."""
        token = cache.get(self._token_key)
        if token:
            return token
        params = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        try:
            answer = self._send("POST", "/oauth/token", data=params)
        except CdekRefused as refusal:
            # Wrong credentials are the shop's configuration, not the customer's request.
            logger.error("CDEK refused the shop's credentials: %s", refusal.codes)
            raise CdekUnavailable("CDEK refused the credentials") from refusal
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise CdekUnavailable("CDEK gave no access token")
        lifetime = int(answer.get("expires_in") or 0) - TOKEN_MARGIN_SECONDS
        if lifetime > 0:
            cache.set(self._token_key, token, lifetime)
        return token

    def _call(self, method: str, path: str, **kwargs):
        if not self.configured:
            raise CdekUnavailable("CDEK is not configured")
        try:
            return self._send(method, path, token=self.token(), **kwargs)
        except CdekRefused as refusal:
            if refusal.status != 401:
                raise
        # The cached token was revoked or expired early: one more try with a fresh one.
        cache.delete(self._token_key)
        return self._send(method, path, token=self.token(), **kwargs)

    def _send(self, method: str, path: str, *, token: str | None = None, **kwargs):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = f"{self.api_url}{path}"
        try:
            response = requests.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            logger.warning("CDEK %s %s failed: %s", method, path, error)
            raise CdekUnavailable(f"CDEK is unreachable: {error}") from error
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 500 or (answer is None and response.ok):
            logger.warning("CDEK %s %s answered %s", method, path, response.status_code)
            raise CdekUnavailable(f"CDEK answered {response.status_code}")
        if not response.ok:
            errors = request_errors(answer)
            codes = [str(error.get("code")) for error in errors]
            raise CdekRefused(
                f"CDEK refused {method} {path}: {codes}", status=response.status_code, codes=codes, errors=errors
            )
        if isinstance(answer, dict) and answer.get("errors") and path != "/oauth/token":
            # The calculator answers 200 with errors when it cannot price the route.
            codes = [str(e.get("code")) for e in answer["errors"] if isinstance(e, dict)]
            raise CdekRefused(f"CDEK refused {method} {path}: {codes}", status=400, codes=codes)
        return answer
