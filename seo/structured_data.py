"""schema.org `Product`/`Offer` JSON-LD and the link-preview tags (Open Graph, Twitter card) of a product page.

The JSON-LD goes out as a data block (`<script type="application/ld+json">`), which browsers never execute, so
the strict script policy of the site stands; it is escaped as Django's `json_script` escapes: no `<`, `>` or `&`
can close the element or open another.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from catalog.models import Product
from seo.selectors import absolute_url, price_text, product_availability, product_share_photos

SHOP_NAME = "DWC"
CURRENCY = "RUB"
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    """A JSON-LD data block whose content cannot end the element early."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 - escaped


def product_description(product: Product, *, length: int = 300) -> str:
    return Truncator(" ".join(product.description.split())).chars(length)


def product_json_ld(product: Product) -> dict:
    """The product and its offer: name, photos, description, SKU (the article), price in rubles, availability."""
    url = absolute_url(product.get_absolute_url())
    offer = {
        "@type": "Offer",
        "url": url,
        "price": price_text(product.price),
        "priceCurrency": CURRENCY,
        "availability": f"https://schema.org/{product_availability(product)}",
        "itemCondition": "https://schema.org/NewCondition",
        "seller": {"@type": "Organization", "name": SHOP_NAME},
    }
    if product.sale_starts_at and not product.sale_started():
        offer["availabilityStarts"] = product.sale_starts_at.isoformat()
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "sku": product.article,
        "url": url,
        "brand": {"@type": "Brand", "name": SHOP_NAME},
        "offers": offer,
    }
    photos = [photo.url for photo in product_share_photos(product)]
    if photos:
        data["image"] = photos
    description = product_description(product, length=5000)
    if description:
        data["description"] = description
    return data


def product_share_tags(product: Product) -> list[tuple[str, str, str]]:
    """(attribute, name, content) of each link-preview meta tag: Open Graph for Telegram and VK, Twitter's card."""
    description = product_description(product, length=200)
    photos = product_share_photos(product)
    tags = [
        ("property", "og:type", "product"),
        ("property", "og:site_name", SHOP_NAME),
        ("property", "og:locale", "ru_RU"),
        ("property", "og:title", product.name),
        ("property", "og:url", absolute_url(product.get_absolute_url())),
        ("property", "product:price:amount", price_text(product.price)),
        ("property", "product:price:currency", CURRENCY),
        ("name", "twitter:card", "summary_large_image" if photos else "summary"),
        ("name", "twitter:title", product.name),
    ]
    if description:
        tags += [("property", "og:description", description), ("name", "twitter:description", description)]
    if photos:
        photo = photos[0]
        tags += [("property", "og:image", photo.url), ("name", "twitter:image", photo.url)]
        if photo.width and photo.height:
            tags += [
                ("property", "og:image:width", str(photo.width)),
                ("property", "og:image:height", str(photo.height)),
            ]
        tags.append(("property", "og:image:alt", product.media.all()[0].alt or product.name))
    return tags
