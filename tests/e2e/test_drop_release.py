"""A release in a real browser on a phone: the countdown → the waiting room → admitted → the order, paid."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from orders.models import Order
from preorders.tests.factories import PreorderProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect

PHONE_390 = {"width": 390, "height": 844}
DESKTOP_1366 = {"width": 1366, "height": 900}


def sign_in(shop, user, next_path):
    page = shop.page
    shop.goto(f"/login/?next={next_path}")
    page.locator("input[name=phone]").fill(user.phone)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()


def test_countdown_waiting_room_admission_and_order_on_a_phone(shop_page, fake_yookassa_live, served_media):
    release = ProductFactory(
        name="Худи «Релиз»",
        price=Decimal("7990.00"),
        stock={"M": 10, "L": 10},
        sale_starts_at=timezone.now() + timedelta(seconds=8),
        queue_enabled=True,
        queue_rate=1,
        max_per_customer=2,
        payment_timeout=15,
    )
    ProductMediaFactory(product=release, position=0, alt="Худи спереди")
    customer = UserFactory(address="Москва, ул. Тверская, д. 1", cdek_point="MSK123")
    shop = shop_page(PHONE_390)
    page = shop.page

    sign_in(shop, customer, release.get_absolute_url())
    expect(page.get_by_text("До старта:")).to_be_visible()
    expect(page.get_by_role("button", name="В корзину")).to_be_disabled()
    shop.assert_fits_width()
    shop.shot("countdown")

    page.get_by_role("button", name="Встать в очередь").click()
    expect(page).to_have_url(re.compile(r"/queue/$"))
    expect(page.get_by_text("разыграем на старте")).to_be_visible()
    expect(page.locator("progress")).to_be_visible()
    shop.assert_fits_width()
    shop.shot("waiting-room")

    # The start passes; the page asks for its place by itself and sends the customer on once admitted.
    expect(page.get_by_text("Ваша очередь подошла")).to_be_visible(timeout=25_000)
    expect(page).to_have_url(re.compile(re.escape(release.get_absolute_url()) + "$"))
    shop.assert_fits_width()
    shop.shot("admitted")

    page.get_by_label("M", exact=True).check()
    page.get_by_role("button", name="В корзину").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    page.get_by_role("button", name="Оформить заказ").click()
    expect(page).to_have_url(re.compile(r"/checkout/\??$"))
    page.locator("textarea[name=delivery_address]").fill("Москва, ул. Тверская, д. 1")
    page.get_by_role("button", name="Перейти к оплате").click()

    expect(page.get_by_role("button", name="Оплатить")).to_be_visible()
    page.get_by_role("button", name="Оплатить").click()
    order = Order.objects.get(user=customer)
    expect(page).to_have_url(re.compile(rf"/orders/{order.order_number}/$"))
    expect(page.locator(".status")).to_have_text("Оплачен")
    shop.assert_fits_width()
    shop.shot("order-paid")
    assert order.items.get().product_id == release.pk


@pytest.mark.parametrize("viewport", [PHONE_390, DESKTOP_1366], ids=["phone", "desktop"])
def test_release_pages_at_both_sizes(shop_page, served_media, viewport):
    """Screenshots of the release's pages on a phone and a desktop: countdown, waiting room, dated waves, the
    back-in-stock form and the payment countdown."""
    release = PreorderProductFactory(
        name="Пуховик «Релиз»",
        sale_starts_at=timezone.now() + timedelta(minutes=4),
        queue_enabled=True,
        max_per_customer=2,
    )
    release.waves.filter(wave_number=1).update(ships_on=timezone.localdate() + timedelta(days=21))
    ProductMediaFactory(product=release, position=0)
    sold_out = ProductFactory(name="Футболка", stock={"S": 0, "M": 3, "L": 0})
    in_stock = ProductFactory(name="Кепка", stock={"M": 3}, payment_timeout=10)
    customer = UserFactory()
    for name in ("phone" if viewport is PHONE_390 else "desktop",):
        shop = shop_page(viewport)
        page = shop.page
        sign_in(shop, customer, release.get_absolute_url())
        expect(page.get_by_text("До старта:")).to_be_visible()
        expect(page.get_by_text(re.compile("Волна 1: отправка ожидается"))).to_be_visible()
        shop.assert_fits_width()
        shop.shot(f"{name}-countdown")
        page.get_by_role("button", name="Встать в очередь").click()
        expect(page.get_by_text("Ваше место")).to_be_visible()
        shop.assert_fits_width()
        shop.shot(f"{name}-waiting-room")
        shop.goto(sold_out.get_absolute_url())
        page.get_by_text("Нет вашего размера?").click()
        expect(page.get_by_role("button", name="Сообщить о поступлении")).to_be_visible()
        shop.assert_fits_width()
        shop.shot(f"{name}-back-in-stock")
        from orders.services import order_place

        order = Order.objects.filter(user=customer).first() or order_place(
            delivery_address="Москва", user=customer, items=[{"product": in_stock.pk, "size": "M", "quantity": 1}]
        )
        shop.goto(order.get_absolute_url())
        expect(page.get_by_text("Заказ ждёт оплаты до")).to_be_visible()
        shop.assert_fits_width()
        shop.shot(f"{name}-order")


def test_an_unverified_buyer_proves_the_phone_on_the_spot_and_joins(shop_page, sms_outbox):
    release = ProductFactory(
        name="Худи «Релиз»",
        stock={"M": 10},
        sale_starts_at=timezone.now() + timedelta(minutes=5),
        queue_enabled=True,
        queue_rate=1,
        max_per_customer=2,
    )
    customer = UserFactory(phone_verified=False)
    shop = shop_page(PHONE_390)
    page = shop.page

    sign_in(shop, customer, release.get_absolute_url())
    expect(page.get_by_text("только для покупателей с подтверждённым номером")).to_be_visible()
    shop.assert_fits_width()
    shop.shot("offer")
    page.get_by_role("button", name="Получить код по SMS").click()
    page.get_by_label("Код из SMS").fill(re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1))
    shop.assert_fits_width()
    shop.shot("code")
    page.get_by_role("button", name="Подтвердить").click()

    expect(page.get_by_text("Телефон подтверждён.")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(release.get_absolute_url()) + "$"))
    page.get_by_role("button", name="Встать в очередь").click()
    expect(page.get_by_text("разыграем на старте")).to_be_visible()
    shop.shot("joined")
