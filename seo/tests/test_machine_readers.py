"""robots.txt, the sitemap and the Yandex Market feed."""

from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from catalog.models import ProductStock
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from pages.models import Page
from preorders.tests.factories import PreorderProductFactory

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.mark.django_db
def test_robots_closes_private_parts_cleans_utm_and_names_the_sitemap(client, settings):
    settings.SITE_URL = "https://dwc.example"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    for path in ("/admin/", "/cart/", "/checkout/", "/account/"):
        assert f"Disallow: {path}" in lines
    clean = next(line for line in lines if line.startswith("Clean-param: "))
    assert {"utm_source", "utm_medium", "utm_campaign"} <= set(clean.removeprefix("Clean-param: ").split("&"))
    assert "Sitemap: https://dwc.example/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the catalog stays open


def _sitemap_locations(client) -> dict[str, str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        url.find("s:loc", SITEMAP_NS).text: url.find("s:lastmod", SITEMAP_NS).text
        for url in root.findall("s:url", SITEMAP_NS)
    }


@pytest.mark.django_db(transaction=True)
def test_sitemap_lists_products_and_pages_and_a_new_product_once_saved(client, settings):
    """Transactional: the sitemap is cached between requests, and a saved product invalidates it."""
    settings.SITE_URL = "https://dwc.example"
    ProductFactory(slug="first-one")
    ProductFactory(slug="hidden", is_active=False)
    Page.objects.create(slug="delivery", title="Доставка", content="СДЭК")
    Page.objects.create(slug="draft", title="Черновик", is_published=False)

    listed = _sitemap_locations(client)
    assert "https://dwc.example/" in listed
    assert "https://dwc.example/products/first-one/" in listed
    assert "https://dwc.example/pages/delivery/" in listed
    assert "https://dwc.example/products/hidden/" not in listed
    assert "https://dwc.example/pages/draft/" not in listed
    assert all(listed.values())  # every address says when it last changed
    assert _sitemap_locations(client) == listed  # from the cache

    ProductFactory(slug="brand-new")
    assert "https://dwc.example/products/brand-new/" in _sitemap_locations(client)


def _feed(client) -> ET.Element:
    response = client.get("/feeds/yandex-market.yml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


@pytest.mark.django_db(transaction=True)
def test_yandex_market_feed_has_the_structure_yandex_documents(client, settings):
    settings.SITE_URL = "https://dwc.example"
    product = ProductFactory(article="HD-01", price=Decimal("4990.00"), stock={"S": 2, "M": 0}, sizes=["S", "M"])
    media = ProductMediaFactory(product=product)
    media.renditions = [{"width": 1600, "height": 2000, "format": "jpeg", "name": "products/renditions/a.jpeg"}]
    media.save()
    preorder = PreorderProductFactory(sizes=[])
    ProductFactory(is_archived=True, stock={"S": 5})

    root = _feed(client)
    assert root.tag == "yml_catalog" and root.get("date")
    shop = root.find("shop")
    for required in ("name", "company", "url"):
        assert shop.findtext(required)
    currency = shop.find("currencies/currency")
    assert (currency.get("id"), currency.get("rate")) == ("RUB", "1")
    categories = {c.get("id"): c.text for c in shop.findall("categories/category")}
    assert categories
    offers = shop.findall("offers/offer")
    by_id = {offer.get("id"): offer for offer in offers}
    assert set(by_id) == {f"{product.pk}-s", f"{product.pk}-m", f"{preorder.pk}-one-size"}
    for offer in offers:
        for required in ("name", "url", "price", "currencyId", "categoryId"):
            assert offer.findtext(required), (offer.get("id"), required)
        assert offer.findtext("categoryId") in categories
        assert offer.findtext("currencyId") == "RUB"
        assert offer.get("available") in ("true", "false")
        assert offer.get("group_id").isdigit()
    small, medium = by_id[f"{product.pk}-s"], by_id[f"{product.pk}-m"]
    assert small.get("group_id") == medium.get("group_id") == str(product.pk)
    assert (small.get("available"), small.findtext("count")) == ("true", "2")
    assert (medium.get("available"), medium.findtext("count")) == ("false", "0")
    assert small.findtext("price") == "4990.00"
    assert small.findtext("vendorCode") == "HD-01"
    assert small.find("param[@name='Размер']").text == "S"
    assert [p.text for p in small.findall("picture")] == ["https://dwc.example/media/products/renditions/a.jpeg"]
    assert small.findtext("url") == f"https://dwc.example{product.get_absolute_url()}"
    assert by_id[f"{preorder.pk}-one-size"].get("available") == "true"

    # Cached, and invalidated with the catalog: a restock shows at once.
    ProductStock._base_manager.filter(product=product, size="M").update(quantity=3)  # behind the cache's back
    assert _feed(client).find(f"shop/offers/offer[@id='{product.pk}-m']").get("available") == "false"
    product.save()
    assert _feed(client).find(f"shop/offers/offer[@id='{product.pk}-m']").get("available") == "true"
