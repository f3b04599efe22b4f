"""A customer checks out with a CDEK pickup point chosen from the list (fake CDEK) and sees the delivery price
before paying on the (fake) YooKassa page."""

import re
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from orders.models import Order
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_checkout_with_a_pickup_point_from_the_list(shop_page, fake_yookassa_live, fake_cdek, viewport):
    product = ProductFactory(name="Футболка «Дроп»", price=Decimal("2990.00"), stock={"M": 5}, weight_grams=500)
    UserFactory(phone="+79165550101", password="very-secret-1", address="", cdek_point="")
    shop = shop_page(viewport)
    page = shop.page

    shop.goto("/login/")
    page.locator("input[name=phone]").fill("+7 916 555-01-01")
    page.locator("input[name=password]").fill("very-secret-1")
    page.get_by_role("button", name="Войти").click()
    shop.goto(product.get_absolute_url())
    page.get_by_label("M", exact=True).check()
    page.get_by_role("button", name="В корзину").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    page.get_by_role("button", name="Оформить заказ").click()

    expect(page).to_have_url(re.compile(r"/checkout/\??$"))
    page.get_by_role("radio", name="Пункт выдачи СДЭК").check()
    page.locator("input[name=city]").fill("Москва")
    page.get_by_role("button", name="Найти пункты").click()
    expect(page.get_by_text("примерочная").first).to_be_visible()
    page.get_by_label("Поиск по названию или адресу").fill("земляной")
    expect(page.get_by_text("Профсоюзная")).to_be_hidden()
    page.locator("input[name=cdek_point][value=MSK127]").check()
    page.get_by_role("button", name="Найти пункты").click()  # recounts the price for the chosen point
    expect(page.get_by_test_id("delivery-amount")).to_have_text("250 ₽")
    expect(page.get_by_test_id("final-amount")).to_have_text("3 240 ₽")
    shop.assert_fits_width()
    shop.shot("checkout-pickup")
    page.get_by_role("button", name="Перейти к оплате").click()

    expect(page.get_by_role("button", name="Оплатить")).to_be_visible()
    expect(page.get_by_text("3 240,00 ₽")).to_be_visible()
    page.get_by_role("button", name="Оплатить").click()
    order = Order.objects.get(user__phone="+79165550101")
    expect(page).to_have_url(re.compile(rf"/orders/{order.order_number}/$"))
    expect(page.get_by_text("«Курская»")).to_be_visible()
    expect(page.get_by_text("250 ₽")).to_be_visible()
    shop.shot("order-pickup")
    assert (order.cdek_point, order.delivery_amount, order.final_amount) == (
        "MSK127",
        Decimal("250.00"),
        Decimal("3240.00"),
    )
