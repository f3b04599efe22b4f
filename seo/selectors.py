"""What search engines and shop feeds are told about the catalog: availability, offers per size, photos.

One reading of a product for every machine reader (the JSON-LD of its page, the Yandex Market feed, Metrica's
e-commerce data), taken from the same selectors the storefront shows buyers, so they never disagree.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from catalog.models import Product, ProductMedia
from shop.selectors import product_units_available

# schema.org availability values (https://schema.org/ItemAvailability).
IN_STOCK = "InStock"
PRE_ORDER = "PreOrder"
SOLD_OUT = "SoldOut"
# The width of the photo shared by links (Open Graph), the JSON-LD and the feed: the largest rendition.
SHARE_PHOTO_WIDTH = 1600
FEED_PICTURES_MAX = 10  # Yandex Market takes up to ten pictures an offer


@dataclass(frozen=True)
class SizeOffer:
    size: str
    available: bool
    # Units on hand of an in-stock size; None for preorders (their sizes share the waves' room).
    count: int | None


@dataclass(frozen=True)
class SharePhoto:
    url: str
    width: int | None
    height: int | None


def absolute_url(url: str) -> str:
    """A link a reader outside the site can follow: media on a bucket is absolute already, the rest is ours."""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return "https:" + url
    return settings.SITE_URL + url


def product_availability(product: Product) -> str:
    """`InStock` while some size is on hand, `PreOrder` while an open wave has room, `SoldOut` otherwise
    (every size out, or every wave full). Uses prefetched stock and waves."""
    units = product_units_available(product)
    if not any(count > 0 for count in units.values()):
        return SOLD_OUT
    return PRE_ORDER if product.order_type == Product.OrderType.PREORDER else IN_STOCK


def product_size_offers(product: Product) -> list[SizeOffer]:
    """Each size as an offer: orderable now or not, and its units when counted per size."""
    units = product_units_available(product)
    per_size = product.order_type == Product.OrderType.IN_STOCK
    return [
        SizeOffer(size=size, available=count > 0, count=count if per_size else None)
        for size, count in units.items()
    ]


def media_share_photo(media: ProductMedia) -> SharePhoto:
    """The 1600 px JPEG rendition of a photo (the nearest one until the worker has made it, else the upload)."""
    jpeg = media.rendition_urls("jpeg")
    if not jpeg:
        return SharePhoto(absolute_url(media.image.url), media.width, media.height)
    best = min(jpeg, key=lambda r: (r["width"] < SHARE_PHOTO_WIDTH, abs(r["width"] - SHARE_PHOTO_WIDTH)))
    return SharePhoto(absolute_url(best["url"]), best["width"], best["height"])


def product_share_photos(product: Product) -> list[SharePhoto]:
    """The product's photos in gallery order (uses prefetched media)."""
    return [media_share_photo(media) for media in product.media.all()]


def feed_products() -> QuerySet[Product]:
    """The visible catalog with everything a feed shows, in a stable order."""
    return Product.objects.visible().prefetch_related("media", "stock", "waves").order_by("id")


def price_text(amount: Decimal) -> str:
    return f"{amount:.2f}"
