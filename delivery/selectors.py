"""Delivery reads: CDEK's cities and pickup points (cached in the shared cache), parcel weights, tracking links.

Lists are kept fresh for `POINTS_FRESH_SECONDS`; a copy is kept longer (`POINTS_STALE_SECONDS`) and served when
CDEK does not answer, so an outage does not empty the pickup point picker.
"""

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache

from catalog.models import Product
from delivery.cdek import CdekClient, CdekRefused, CdekUnavailable
from delivery.errors import CdekPointUnknown, CityUnknown, DeliveryUnavailable

POINTS_FRESH_SECONDS = 60 * 60
POINTS_STALE_SECONDS = 7 * 24 * 60 * 60
CITY_SECONDS = 24 * 60 * 60
CDEK_TRACKING_URL = "https://www.cdek.ru/ru/tracking"
MAX_CITY_LENGTH = 100


@dataclass(frozen=True)
class DeliveryPoint:
    """A CDEK pickup point as the shop shows and snapshots it."""

    code: str
    name: str
    address: str
    address_full: str
    city: str
    city_code: int
    work_time: str
    is_dressing_room: bool
    latitude: float | None
    longitude: float | None

    @classmethod
    def from_cdek(cls, data: dict) -> "DeliveryPoint":
        location = data.get("location") or {}
        return cls(
            code=str(data["code"]),
            name=str(data.get("name") or data["code"]),
            address=str(location.get("address") or ""),
            address_full=str(location.get("address_full") or location.get("address") or ""),
            city=str(location.get("city") or ""),
            city_code=int(location.get("city_code") or 0),
            work_time=str(data.get("work_time") or ""),
            is_dressing_room=bool(data.get("is_dressing_room")),
            latitude=location.get("latitude"),
            longitude=location.get("longitude"),
        )


def _key(*parts) -> str:
    # Cache keys must be short and plain, whatever a customer typed.
    return "delivery:" + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _cached(kind: str, ident, fetch):
    """The fresh cached value, else `fetch()` (stored fresh and stale), else the stale copy if CDEK is down.

    An empty answer (a city CDEK does not know: 0) is remembered as such for `CITY_SECONDS`, under one key and
    with no stale copy: the same unknown name is refused without asking CDEK again, and costs one small key.
    """
    fresh_key, stale_key = _key(kind, "fresh", ident), _key(kind, "stale", ident)
    value = cache.get(fresh_key)
    if value is not None:
        return value
    try:
        value = fetch()
    except CdekUnavailable:
        value = cache.get(stale_key)
        if value is None:
            raise
        return value
    if not value:
        cache.set(fresh_key, value, CITY_SECONDS)
        return value
    cache.set(fresh_key, value, POINTS_FRESH_SECONDS)
    cache.set(stale_key, value, POINTS_STALE_SECONDS)
    return value


def delivery_city_name(city: str) -> str:
    """A city's name as the shop keeps and compares it: spaces collapsed (the cache key also ignores case)."""
    return " ".join(str(city or "").split())


def delivery_city_code(*, city: str) -> int:
    """CDEK's code of a Russian city by its name; `CityUnknown` when CDEK knows no such city."""
    name = delivery_city_name(city)
    if not name or len(name) > MAX_CITY_LENGTH:
        raise CityUnknown()
    client = CdekClient.from_settings()

    def fetch():
        try:
            found = client.cities(name=name)
        except CdekRefused:
            found = []
        return int(found[0]["code"]) if found and found[0].get("code") is not None else 0

    code = _cached("city", name.casefold().replace("ё", "е"), fetch)
    if not code:
        raise CityUnknown(f"СДЭК не знает город «{name}». Проверьте название.")
    return code


def delivery_points(*, city: str) -> list[DeliveryPoint]:
    """The pickup points of a city, those with a fitting room first, then by name.

    None when CDEK is not configured (only couriers then). `CityUnknown` for a city CDEK does not know;
    `DeliveryUnavailable` when CDEK does not answer and no copy is cached.
    """
    client = CdekClient.from_settings()
    if not client.configured:
        return []
    try:
        city_code = delivery_city_code(city=city)
        points = _cached("points", city_code, lambda: _points_read(client, city_code=city_code))
    except CdekUnavailable as error:
        raise DeliveryUnavailable() from error
    return sorted(points, key=lambda point: (not point.is_dressing_room, point.name))


def _points_read(client: CdekClient, **query) -> list[DeliveryPoint]:
    try:
        return [DeliveryPoint.from_cdek(item) for item in client.delivery_points(**query) if item.get("code")]
    except CdekRefused:
        return []


def delivery_point_get(*, code: str) -> DeliveryPoint:
    """The pickup point with this code, to check a customer's choice and snapshot its name and address.

    `CdekPointUnknown` when CDEK has no such point; `DeliveryUnavailable` when CDEK does not answer and the point
    is not cached.
    """
    code = str(code or "").strip().upper()
    if not code or len(code) > 64 or not code.replace("-", "").replace("_", "").isalnum():
        raise CdekPointUnknown()
    client = CdekClient.from_settings()
    try:
        found = _cached("point", code, lambda: _points_read(client, code=code))
    except CdekUnavailable as error:
        raise DeliveryUnavailable() from error
    if not found:
        raise CdekPointUnknown()
    return found[0]


def delivery_items_weight(*, items: list[dict]) -> int:
    """The parcel's weight in grams: each line's product weight (or `DELIVERY_DEFAULT_WEIGHT_GRAMS`) × quantity.

    `items` are `{"product": <id or Product>, "quantity": n}`; unknown products weigh the default. Products given
    as rows are not read again.
    """
    default = settings.DELIVERY_DEFAULT_WEIGHT_GRAMS
    if all(isinstance(item["product"], Product) for item in items):
        weights = {item["product"].pk: item["product"].weight_grams for item in items}
    else:
        ids = {item["product"].pk if isinstance(item["product"], Product) else item["product"] for item in items}
        weights = dict(Product.objects.filter(pk__in=ids).values_list("pk", "weight_grams"))
    total = 0
    for item in items:
        pk = item["product"].pk if isinstance(item["product"], Product) else item["product"]
        total += (weights.get(pk) or default) * int(item.get("quantity") or 1)
    return max(total, 1)


def delivery_tracking_url(*, tracking_number: str) -> str:
    """CDEK's public tracking page of a shipment."""
    return f"{CDEK_TRACKING_URL}?{urlencode({'order_id': tracking_number.strip()})}"
