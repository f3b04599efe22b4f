"""Fulfilment in a real browser: staff hand a selection to CDEK (the fake) from the order list and follow the run;
a customer on a phone asks to return a delivered order's unit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory
from fulfilment.models import ReturnRequest, Shipment, ShipmentBatch, ShipmentState
from fulfilment.services import shipment_batch_create
from fulfilment.tests.factories import delivered_order, paid_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect

PHONE_390 = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(shop, phone: str, *, admin: bool):
    page = shop.page
    shop.goto("/admin/login/" if admin else "/login/")
    page.locator("input[name=username]" if admin else "input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit], button[type=submit]").last.click()


def test_staff_hand_a_selection_to_cdek_and_a_customer_returns_a_unit_on_a_phone(shop_page, fake_cdek, settings):
    settings.CDEK_TIMEOUT = 5
    staff = UserFactory(is_staff=True, is_superuser=True)
    customer = UserFactory()
    orders = [paid_order(user=customer) for _ in range(2)]
    delivered = delivered_order(user=customer, items=2)

    admin = shop_page(DESKTOP)
    sign_in(admin, staff.phone, admin=True)
    admin.goto("/admin/orders/order/")
    for order in orders:
        admin.page.locator(f"input[name=_selected_action][value='{order.pk}']").check()
    admin.page.locator("select[name=action]").select_option("hand_to_cdek")
    admin.page.locator("button[name=index]").click()
    expect(admin.page.get_by_text("2 из 2, с ошибками 0")).to_be_visible()
    assert Shipment.objects.filter(state=ShipmentState.REGISTERED).count() == 2

    phone = shop_page(PHONE_390)  # (a new page clears the test's screenshots: the admin's is taken at the end)
    sign_in(phone, customer.phone, admin=False)
    phone.goto(f"/orders/{delivered.order_number}/")
    phone.page.get_by_role("link", name="Вернуть товар").click()
    first = delivered.items.order_by("id").first()
    phone.page.get_by_label(first.product.name).select_option("1")
    phone.page.get_by_label("Причина возврата").select_option("Не подошёл размер")
    phone.assert_fits_width()
    phone.shot("return-form")
    phone.page.get_by_role("button", name="Отправить заявку").click()
    expect(phone.page.get_by_text("Заявка на возврат отправлена")).to_be_visible()
    phone.assert_fits_width()
    phone.shot("return-asked")
    assert list(ReturnRequest.objects.get().lines.values_list("item_id", "quantity")) == [(first.pk, 1)]
    admin.page.reload()
    admin.shot("batch-done")

    # A run whose worker died: its page says what happens next instead of «Идёт» forever.
    stalled = shipment_batch_create(orders=[paid_order()], title="Волна 2")
    ShipmentBatch.objects.filter(pk=stalled.pk).update(progress_at=timezone.now() - timedelta(minutes=6))
    admin.goto(f"/admin/fulfilment/shipmentbatch/{stalled.pk}/change/")
    expect(admin.page.get_by_role("status")).to_contain_text("Магазин запустит её снова в течение минуты")
    admin.shot("batch-stalled")
