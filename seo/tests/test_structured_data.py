"""A product page tells search engines and link previews what it sells: JSON-LD, Open Graph, canonical."""

import json
import re
from decimal import Decimal

import pytest

from catalog.models import Product
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from preorders.models import PreorderWave
from preorders.tests.factories import PreorderProductFactory

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def meta(html: str, name: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)
    return found.group(1) if found else ""


def test_product_json_ld_names_the_offer(client, settings):
    settings.SITE_URL = "https://dwc.example"
    product = ProductFactory(name="Худи «Ночь»", article="HD-01", price=Decimal("4990.00"), stock={"S": 2})
    media = ProductMediaFactory(product=product, alt="Худи спереди")
    media.renditions = [
        {"width": width, "height": width * 5 // 4, "format": fmt, "name": f"products/renditions/h-{width}.{fmt}"}
        for width in (400, 800, 1600)
        for fmt in ("jpeg", "webp")
    ]
    media.save()

    html = client.get(product.get_absolute_url()).content.decode()

    data = json_ld(html)
    assert data["@type"] == "Product"
    assert data["name"] == "Худи «Ночь»"
    assert data["sku"] == "HD-01"
    assert data["description"] == "Плотный хлопок."
    assert data["image"] == ["https://dwc.example/media/products/renditions/h-1600.jpeg"]
    offer = data["offers"]
    assert offer["@type"] == "Offer"
    assert (offer["price"], offer["priceCurrency"]) == ("4990.00", "RUB")
    assert offer["availability"] == "https://schema.org/InStock"
    url = f"https://dwc.example{product.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "og:image") == "https://dwc.example/media/products/renditions/h-1600.jpeg"
    assert meta(html, "og:image:width") == "1600"
    assert meta(html, "og:url") == url
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "product:price:amount") == "4990.00"


def test_json_ld_says_sold_out_when_every_size_is_out(client):
    product = ProductFactory(stock={"S": 0, "M": 0})  # L has no row at all
    data = json_ld(client.get(product.get_absolute_url()).content.decode())
    assert data["offers"]["availability"] == "https://schema.org/SoldOut"


def test_json_ld_of_preorders_says_preorder_until_the_waves_are_full(client):
    product = PreorderProductFactory(preorder_waves_total=1)
    data = json_ld(client.get(product.get_absolute_url()).content.decode())
    assert data["offers"]["availability"] == "https://schema.org/PreOrder"

    PreorderWave.objects.filter(product=product).update(current_count=5)
    Product.objects.filter(pk=product.pk).update(order_type=Product.OrderType.WAITING)
    data = json_ld(client.get(product.get_absolute_url()).content.decode())
    assert data["offers"]["availability"] == "https://schema.org/SoldOut"


def test_json_ld_cannot_close_its_element(client):
    product = ProductFactory(name="</script><script>alert(1)</script>", description="a & b <b>", stock={"S": 1})
    html = client.get(product.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    data = json_ld(html)
    assert data["name"] == "</script><script>alert(1)</script>"
    assert data["description"] == "a & b <b>"


@pytest.mark.django_db(transaction=True)
def test_the_json_ld_lives_inside_the_cached_page_of_a_visitor(client):
    """A visitor without a session gets the stored page: its JSON-LD comes from the store with the rest."""
    product = ProductFactory(name="Старое имя", stock={"M": 1})
    client.get(product.get_absolute_url())  # the first visit learns the slug; the second stores the page
    assert json_ld(client.get(product.get_absolute_url()).content.decode())["name"] == "Старое имя"
    Product._base_manager.filter(pk=product.pk).update(name="Новое имя")  # behind the cache's back: page stays
    assert json_ld(client.get(product.get_absolute_url()).content.decode())["name"] == "Старое имя"
    product.refresh_from_db()
    product.save()  # a save bumps the product's version
    assert json_ld(client.get(product.get_absolute_url()).content.decode())["name"] == "Новое имя"
