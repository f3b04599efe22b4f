"""One lean walk in a real browser: after a partial refund the customer's order page and the admin's show the
refund and the net, and analytics' revenue falls by it; a returning customer sees WELCOME10 refused in the checkout
summary with the reason and no discount; a capped drop cannot go past its cap in the cart."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from catalog.tests.factories import ProductFactory
from orders.services import order_place, order_refund
from orders.tests.helpers import order_pay
from promos.tests.factories import PromoCodeFactory
from tests.e2e.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


def _sign_in(shop, user, live_server):
    """The browser carries a session of `user` (signing in through forms is other tests' subject)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    shop.page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_screens_agree_after_a_refund_and_previews_tell_the_truth(
    shop_page, live_server, fake_yookassa, user, staff_user, settings
):
    settings.DELIVERY_FLAT_AMOUNT = "390.00"
    hoodie = ProductFactory(name="Худи", price=Decimal("8990.00"), stock={"M": 5})
    drop = ProductFactory(name="Худи «Релиз»", price=Decimal("9990.00"), stock={"M": 10}, max_per_customer=2)
    PromoCodeFactory(code="TEN", discount_percent=10)
    PromoCodeFactory(code="WELCOME10", discount_percent=10, first_order_only=True)
    order = order_place(
        user=user,
        items=[{"product": hoodie.pk, "size": "M", "quantity": 2}],
        delivery_address="Москва, ул. Тверская, 1",
        promo_code="TEN",
    )
    order_pay(order, fake_yookassa)
    [line] = order.items.all()
    order_refund(order=order, items=[(line.pk, 1)], by=staff_user)

    customer = shop_page(DESKTOP)
    page = customer.page
    _sign_in(customer, user, live_server)
    customer.goto(f"/orders/{order.order_number}/")
    expect(page.get_by_text("−8 091 ₽")).to_be_visible()
    expect(page.get_by_test_id("net-amount")).to_have_text("8 481 ₽")
    expect(page.get_by_test_id("item-refunded")).to_have_text("возвращено 1 шт.")
    customer.shot("order-refunded")

    # A returning customer: the first-order code is refused in the summary, with the reason, and no discount.
    customer.goto(hoodie.get_absolute_url())
    page.get_by_label("M", exact=True).check()
    page.get_by_role("button", name="В корзину").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    customer.goto("/checkout/")
    page.get_by_label("Промокод").fill("WELCOME10")
    page.get_by_role("button", name="Применить").click()
    expect(page.get_by_text("Промокод действует только на первый заказ.").first).to_be_visible()
    summary = page.get_by_role("complementary", name="Ваш заказ")
    expect(summary).not_to_contain_text("Скидка")
    expect(summary).not_to_contain_text("−899 ₽")
    customer.shot("welcome10-refused")

    # A drop capped at 2 a customer: 3 into the cart become 2, and the cart says why.
    customer.goto(drop.get_absolute_url())
    page.get_by_label("M", exact=True).check()
    page.get_by_label("Количество").fill("3")
    page.get_by_role("button", name="В корзину").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.get_by_text("не больше 2 шт. в одни руки, количество уменьшено с 3 до 2")).to_be_visible()
    customer.shot("drop-capped")

    admin = customer  # the same window, now signed in as staff
    page.context.clear_cookies()
    _sign_in(admin, staff_user, live_server)
    admin.goto(f"/admin/orders/order/{order.pk}/change/")
    expect(admin.page.get_by_test_id("admin-refund")).to_contain_text("8 091 ₽")
    expect(admin.page.get_by_text("8 481 ₽").first).to_be_visible()
    admin.shot("admin-order")
    admin.goto("/admin/analytics/")
    expect(admin.page.locator("#kpi-revenue")).to_have_text("8 481 ₽")
    expect(admin.page.locator("#kpi-refunds")).to_have_text("8 091 ₽")
    admin.shot("analytics")
