"""Under the content security policy the storefront, the admin (with its history and analytics screens) and
Swagger UI work in a real browser: no violation reaches the console, and the screens render."""

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from preorders.tests.factories import PreorderProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect

PHONE_390 = {"width": 390, "height": 844}
DESKTOP_1366 = {"width": 1366, "height": 900}
STAFF_PASSWORD = "staff-secret-1"


def violations(shop) -> list[str]:
    return [error for error in shop.errors if "Content Security Policy" in error]


@pytest.mark.parametrize("viewport", [PHONE_390, DESKTOP_1366], ids=["phone", "desktop"])
def test_pages_work_under_the_policy(shop_page, served_media, viewport):
    product = ProductFactory(name="Худи", price=Decimal("4990.00"), stock={"S": 3})
    ProductMediaFactory(product=product, position=0, alt="Худи спереди")
    product.name = "Худи чёрное"
    product.save()  # a second history row
    PreorderProductFactory()
    staff = UserFactory(is_staff=True, is_superuser=True, password=STAFF_PASSWORD)
    shop = shop_page(viewport)

    shop.goto("/")
    expect(shop.page.locator("h1").first).to_be_visible()
    shop.shot("catalog")
    shop.goto("/register/")
    shop.page.fill("#id_phone", staff.phone)
    shop.page.fill("#id_password", "not-the-password")
    shop.page.get_by_role("button", name="Зарегистрироваться").click()
    expect(shop.page.locator("main")).to_contain_text("Не удалось зарегистрироваться с этим номером")
    shop.shot("register-refused")
    shop.goto("/api/v1/docs/")
    # The schema is generated on request: slow on a busy machine.
    expect(shop.page.locator(".swagger-ui .info .title")).to_contain_text("DWC Shop API", timeout=30_000)
    shop.shot("swagger")

    shop.goto("/admin/login/")
    shop.page.fill("#id_username", staff.phone)
    shop.page.fill("#id_password", STAFF_PASSWORD)
    shop.page.click("input[type=submit]")
    expect(shop.page.locator("#site-name")).to_be_visible()
    shop.shot("admin-index")
    shop.goto("/admin/catalog/product/")
    expect(shop.page.locator("img.dwc-thumb").first).to_be_visible()
    shop.shot("admin-products")
    shop.goto(f"/admin/catalog/product/{product.pk}/change/")
    expect(shop.page.locator("#product_form")).to_be_visible()
    shop.shot("admin-product")
    shop.goto(f"/admin/catalog/product/{product.pk}/history/")
    expect(shop.page.locator("#change-history")).to_contain_text("Худи чёрное")
    shop.shot("admin-product-history")
    shop.goto("/admin/analytics/")
    expect(shop.page.locator(".dash-grid")).to_be_visible()
    expect(shop.page.locator("svg.wave-bar").first).to_be_visible()
    shop.shot("admin-analytics")
    assert not violations(shop)
