"""A small client of CDEK API v2: OAuth client credentials, cities, pickup points and the tariff calculator.

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

    def __init__(self, message: str, *, status: int, codes: list[str]):
        super().__init__(message)
        self.status = status
        self.codes = codes


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
            errors = (answer or {}).get("errors") if isinstance(answer, dict) else None
            codes = [str(e.get("code")) for e in errors or [] if isinstance(e, dict)]
            raise CdekRefused(f"CDEK refused {method} {path}: {codes}", status=response.status_code, codes=codes)
        if isinstance(answer, dict) and answer.get("errors") and path != "/oauth/token":
            # The calculator answers 200 with errors when it cannot price the route.
            codes = [str(e.get("code")) for e in answer["errors"] if isinstance(e, dict)]
            raise CdekRefused(f"CDEK refused {method} {path}: {codes}", status=400, codes=codes)
        return answer
