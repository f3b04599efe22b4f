"""axe-core finds no serious or critical violation on the storefront's pages, at a phone's 390×844 and a laptop's
1366×900: catalog, product, cart, checkout, login, register, an order, the account and its deletion page.

axe-core comes from npm (`package.json`, installed by `make install-test`); it is evaluated in the page through
the DevTools protocol, so the site's script policy stays as it is.
"""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from orders.services import order_mark_paid, order_place
from preorders.tests.factories import PreorderProductFactory

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
PASSWORD = "very-secret-1"
ADDRESS = "Москва, ул. Тверская, д. 1, кв. 1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: make install-test (npm ci)"),
]
expect = pytest.importorskip("playwright.sync_api").expect


def axe_violations(page) -> list[str]:
    """Serious and critical violations of the page as it is now, one line per rule with its first nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ') + ': ' "
        "+ (n.failureSummary || '').split('\\n').slice(1, 2).join(''))}))"
    )
    return [f"{v['id']} ({v['impact']}): {json.dumps(v['nodes'][:5], ensure_ascii=False)}" for v in result]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_storefront_pages_have_no_serious_axe_violations(shop_page, served_media, viewport):
    hoodie = ProductFactory(
        name="Худи «Базовое» чёрное", price=Decimal("6490.00"), stock={"S": 12, "M": 2, "L": 0}
    )
    ProductMediaFactory(product=hoodie, position=0, alt="Худи спереди")
    ProductMediaFactory(product=hoodie, position=1, alt="Худи сзади")
    PreorderProductFactory(name="Пуховик «Дроп»", price=Decimal("18900.00"))
    customer = UserFactory(password=PASSWORD, full_name="Анна Петрова")
    order = order_place(
        user=customer, items=[{"product": hoodie, "size": "S", "quantity": 1}], delivery_address=ADDRESS
    )
    order_mark_paid(order=order)

    shop = shop_page(viewport)
    page = shop.page
    found: dict[str, list[str]] = {}

    def check(name: str):
        shop.shot(name)
        violations = axe_violations(page)
        if violations:
            found[name] = violations

    shop.goto("/")
    check("catalog")
    shop.goto(hoodie.get_absolute_url())
    check("product")
    shop.goto("/register/")
    check("register")
    shop.goto("/login/")
    check("login")
    page.locator("input[name=phone]").fill(customer.phone)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(re.compile(r"/account/$"))
    check("account")
    shop.goto("/account/delete/")
    check("account-delete")
    shop.goto(order.get_absolute_url())
    check("order")
    shop.goto(hoodie.get_absolute_url())
    page.locator("label.size-option", has_text="M").click()
    page.get_by_role("button", name="В корзину").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    check("cart")
    shop.goto("/checkout/")
    check("checkout")

    assert not found, "axe-core: serious or critical violations\n" + "\n".join(
        f"{name}: {line}" for name, lines in found.items() for line in lines
    )
