"""The Yandex Market feed (YML): `yml_catalog` → `shop` (name, company, url, currencies, categories, offers).

Each size of a visible product is an offer of its own; the sizes of one product share its `group_id` (the
product's id), as Yandex Market expects of clothes in sizes. `available` says whether the size can be ordered
now (on hand, or room in an open preorder wave); an in-stock size also gives its units in `count`.
"""

from xml.etree import ElementTree as ET

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from seo.metrica import CATEGORY
from seo.selectors import (
    FEED_PICTURES_MAX,
    absolute_url,
    feed_products,
    price_text,
    product_share_photos,
    product_size_offers,
)
from seo.structured_data import CURRENCY, SHOP_NAME, product_description

CATEGORY_ID = "1"
# Yandex Market offer ids: up to 20 of Latin letters, digits, «.», «,», «_» and «-».
OFFER_ID_MAX = 20


def offer_id(product_id: int, size: str, index: int) -> str:
    """`<product id>-<size>`, e.g. `42-xl`; a size with no Latin form (or too long) goes by its position."""
    label = slugify(size)[: OFFER_ID_MAX - len(str(product_id)) - 1]
    return f"{product_id}-{label or f's{index}'}"


def _text(parent: ET.Element, tag: str, text: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def yandex_market_feed() -> bytes:
    """The whole visible catalog as a YML document (UTF-8, with the XML declaration)."""
    now = timezone.localtime()
    root = ET.Element("yml_catalog", date=now.isoformat(timespec="minutes"))
    shop = ET.SubElement(root, "shop")
    _text(shop, "name", SHOP_NAME)
    _text(shop, "company", SHOP_NAME)
    _text(shop, "url", settings.SITE_URL + "/")
    currencies = ET.SubElement(shop, "currencies")
    ET.SubElement(currencies, "currency", id=CURRENCY, rate="1")
    categories = ET.SubElement(shop, "categories")
    _text(categories, "category", CATEGORY, id=CATEGORY_ID)
    offers = ET.SubElement(shop, "offers")
    for product in feed_products():
        url = absolute_url(product.get_absolute_url())
        pictures = [photo.url for photo in product_share_photos(product)][:FEED_PICTURES_MAX]
        description = product_description(product, length=3000)
        for index, size in enumerate(product_size_offers(product)):
            offer = ET.SubElement(
                offers,
                "offer",
                id=offer_id(product.pk, size.size, index),
                group_id=str(product.pk),
                available="true" if size.available else "false",
            )
            _text(offer, "name", product.name)
            _text(offer, "url", url)
            _text(offer, "price", price_text(product.price))
            _text(offer, "currencyId", CURRENCY)
            _text(offer, "categoryId", CATEGORY_ID)
            for picture in pictures:
                _text(offer, "picture", picture)
            _text(offer, "vendor", SHOP_NAME)
            _text(offer, "vendorCode", product.article)
            if description:
                _text(offer, "description", description)
            _text(offer, "param", size.size, name="Размер")
            if size.count is not None:
                _text(offer, "count", str(max(size.count, 0)))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
