"""A phone loads the small renditions of product photos, never the camera originals."""

import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from catalog.services import product_media_add
from catalog.tests.factories import ProductFactory
from catalog.tests.photos import camera_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect

PHONE_390 = {"width": 390, "height": 844}


def _photographed(*, photos: list[int]) -> list:
    """Products with `photos[n]` photos each, 1700 px wide (above the largest rendition); renditions are made as
    each upload commits."""
    products = []
    for number, count in enumerate(photos):
        product = ProductFactory(name=f"Худи {number + 1}", price=Decimal("4990.00"), stock={"S": 3})
        for position in range(count):
            photo = camera_jpeg(width=1700, height=2125, orientation=1 + position * 2)
            product_media_add(
                product=product,
                upload=ContentFile(photo, name=f"hoodie-{number}-{position}.jpg"),
                position=position,
            )
        products.append(product)
    return products


@pytest.fixture
def photographed(served_media):
    """Three products on the catalog page, the first with two photos (its gallery switches between them)."""
    return _photographed(photos=[2, 1, 1])


@pytest.fixture
def photographed_once(served_media):
    return _photographed(photos=[1])


def _loaded_images(page) -> list[str]:
    return page.evaluate(
        "Array.from(document.images).filter(i => i.complete && i.currentSrc).map(i => i.currentSrc)"
    )


def test_phone_loads_the_small_renditions(shop_page, photographed):
    shop = shop_page(PHONE_390)
    page = shop.page
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    shop.goto("/")
    expect(page.get_by_role("heading", name="Каталог")).to_be_visible()
    page.wait_for_load_state("networkidle")
    shop.shot("catalog")
    cards = _loaded_images(page)
    assert len(cards) == 3
    assert all(re.search(r"-400w\.webp$", src) for src in cards), cards

    page.get_by_role("link", name=re.compile("Худи 1")).first.click()
    expect(page.locator("#gallery-main")).to_be_visible()
    page.wait_for_load_state("networkidle")
    shop.shot("product")
    main = page.eval_on_selector("#gallery-main", "img => img.currentSrc")
    assert re.search(r"-400w\.webp$", main), main

    # A thumbnail shows the other photo in the main frame, again at the phone's width.
    page.locator(".gallery__thumb").nth(1).click()
    expect(page.locator("#gallery-main")).to_have_attribute("src", re.compile(r"hoodie-0-1.*-1600w\.jpg$"))
    page.wait_for_function("document.getElementById('gallery-main').currentSrc.includes('hoodie-0-1')")
    assert re.search(r"hoodie-0-1.*-400w\.webp$", page.eval_on_selector("#gallery-main", "i => i.currentSrc"))
    shop.shot("second-photo")

    originals = [media.image.url for product in photographed for media in product.media.all()]
    assert not [url for url in requested if any(url.endswith(original) for original in originals)]
    shop.assert_fits_width()


def test_desktop_product_page_loads_a_larger_rendition(shop_page, photographed_once):
    shop = shop_page({"width": 1366, "height": 900})
    shop.goto(photographed_once[0].get_absolute_url())
    expect(shop.page.locator("#gallery-main")).to_be_visible()
    shop.page.wait_for_load_state("networkidle")
    shop.shot("product")
    main = shop.page.eval_on_selector("#gallery-main", "img => img.currentSrc")
    assert re.search(r"-800w\.webp$", main), main
