"""The back office on drop day, in a real browser at 1366 and 390 px: counts and messages in correct Russian,
the order page's refund button, a complete new-wave form and the SMS confirmation of a wave's status change."""

from decimal import Decimal

import pytest

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus, PaymentStatus
from orders.tests.factories import OrderFactory, OrderItemFactory
from preorders.models import WaveStatus
from preorders.tests.factories import PreorderProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}], ids=["1366", "390"]
)
def test_drop_day_in_the_back_office(shop_page, viewport):
    staff = UserFactory(is_staff=True, is_superuser=True)
    ProductFactory.create_batch(12)
    bomber = PreorderProductFactory(name="Бомбер")
    wave = bomber.waves.get(wave_number=1)
    for _ in range(2):
        order = OrderFactory(status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED, payment_id="p-1")
        OrderItemFactory(order=order, product=bomber, is_preorder=True, preorder_wave=wave, price=Decimal("4990"))

    shop = shop_page(viewport)
    page = shop.page
    shop.goto("/admin/login/")
    page.locator("input[name=username]").fill(staff.phone)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit]").click()

    shop.goto("/admin/catalog/product/")
    expect(page.locator(".paginator-count")).to_have_text("13 товаров")
    shop.goto("/admin/orders/order/")
    expect(page.locator(".paginator-count")).to_have_text("2 заказа")
    status = page.locator("#result_list tbody tr").first.locator("td.field-status_badge")
    expect(status).to_be_in_viewport()  # status right after the number, even on a phone
    shop.shot("orders")

    shop.goto(f"/admin/orders/order/{order.pk}/change/")
    expect(page.get_by_role("link", name="Вернуть деньги…")).to_be_visible()
    shop.shot("order-refund-button")

    shop.goto("/admin/preorders/preorderwave/add/")
    expect(page.locator("h1")).to_have_text("Добавить волну предзаказа")
    expect(page.locator("select[name=status]")).to_be_visible()
    expect(page.locator("input[name=ships_on]")).to_be_visible()
    assert "Бомбер" in page.locator("select[name=product]").inner_text()
    shop.shot("wave-add")

    shop.goto(f"/admin/preorders/preorderwave/{wave.pk}/change/")
    page.locator("select[name=status]").select_option(WaveStatus.SHIPPING)
    page.locator("input[name=_save]").click()
    expect(page.get_by_text("SMS получат 2 покупателя")).to_be_visible()
    shop.shot("wave-confirm")
    page.locator("input[name=confirm_sms]").check()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist li")).to_have_count(1)
    expect(page.locator(".messagelist li")).to_contain_text("Сохранено: волна предзаказа «")
    expect(page.locator(".paginator-count")).to_have_text("3 волны предзаказа")
    shop.shot("wave-saved")
    shop.assert_fits_width()
