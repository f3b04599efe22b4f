"""A customer buys in a real browser: catalog → product → cart → register → checkout with a promo code →
the (fake) YooKassa page → «Оплатить» → the order page shows the order paid."""

import re
from decimal import Decimal

import pytest

from accounts.models import User
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from orders.models import Order
from preorders.tests.factories import PreorderProductFactory
from promos.tests.factories import PromoCodeFactory
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def hoodie(served_media):
    product = ProductFactory(
        name="Худи «Базовое» чёрное", price=Decimal("4990.00"), stock={"S": 3, "M": 5, "L": 0}
    )
    ProductMediaFactory(product=product, position=0, alt="Худи спереди")
    ProductMediaFactory(product=product, position=1, alt="Худи сзади")
    ProductFactory(name="Кепка", price=Decimal("1990.00"), sizes=[], size_table=[], stock={"ONE SIZE": 4})
    PromoCodeFactory(code="WELCOME10", discount_percent=10)
    return product


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_buy_start_to_finish_with_a_promo_code(shop_page, fake_yookassa_live, hoodie, viewport):
    shop = shop_page(viewport)
    page = shop.page

    shop.goto("/")
    expect(page.get_by_role("heading", name="Каталог")).to_be_visible()
    expect(page.get_by_text("4 990 ₽")).to_be_visible()
    shop.assert_fits_width()
    shop.shot("catalog")

    page.get_by_role("link", name=re.compile("Худи «Базовое» чёрное")).click()
    expect(page.get_by_role("heading", name="Худи «Базовое» чёрное")).to_be_visible()
    expect(page.locator("input[name=size][value=L]")).to_be_disabled()
    shop.assert_fits_width()
    shop.shot("product")

    page.get_by_role("button", name="В корзину").click()  # no size chosen yet: refused on the page
    expect(page.get_by_text("Выберите размер.")).to_be_visible()
    page.get_by_label("M", exact=True).check()
    page.get_by_label("Количество").fill("2")
    page.get_by_role("button", name="В корзину").click()

    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.get_by_text("9 980 ₽").first).to_be_visible()
    shop.assert_fits_width()
    shop.shot("cart")

    page.get_by_role("button", name="Оформить заказ").click()
    expect(page).to_have_url(re.compile(r"/login/\?next=/checkout/"))
    expect(page.get_by_text("Вход или регистрация")).to_be_visible()
    shop.shot("sign-in-step")
    page.get_by_role("link", name="Зарегистрироваться").click()
    expect(page).to_have_url(re.compile(r"/register/\?next=/checkout/"))
    page.locator("input[name=phone]").fill("+7 916 555-44-33")
    page.locator("input[name=full_name]").fill("Анна Покупатель")
    page.locator("input[name=password]").fill("very-secret-1")
    page.get_by_label("Согласен на обработку персональных данных").check()
    shop.shot("register")
    page.get_by_role("button", name="Зарегистрироваться").click()

    expect(page).to_have_url(re.compile(r"/checkout/$"))
    page.locator("textarea[name=delivery_address]").fill("Москва, ул. Тверская, д. 1, кв. 1")
    page.locator("input[name=cdek_point]").fill("MSK123")
    page.locator("input[name=promo_code]").fill("welcome10")
    shop.assert_fits_width()
    shop.shot("checkout")
    page.get_by_role("button", name="Перейти к оплате").click()

    expect(page.get_by_role("button", name="Оплатить")).to_be_visible()
    expect(page.get_by_text("8 982,00 ₽")).to_be_visible()
    shop.shot("yookassa")
    page.get_by_role("button", name="Оплатить").click()

    order = Order.objects.get(user=User.objects.get(phone="+79165554433"))
    expect(page).to_have_url(re.compile(rf"/orders/{order.order_number}/$"))
    expect(page.locator(".status")).to_have_text("Оплачен")
    expect(page.get_by_text("8 982 ₽")).to_be_visible()
    shop.assert_fits_width()
    shop.shot("order-paid")

    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.payment_status == Order.PaymentStatus.SUCCEEDED
    assert (order.total_amount, order.discount_amount, order.final_amount) == (
        Decimal("9980.00"),
        Decimal("998.00"),
        Decimal("8982.00"),
    )
    assert order.promo_code.code == "WELCOME10"
    assert order.delivery_address == "Москва, ул. Тверская, д. 1, кв. 1"


def test_preorder_page_shows_wave_progress_and_waitlist(shop_page, served_media):
    drop = PreorderProductFactory(name="Пуховик «Дроп»", preorder_waves_total=3, preorder_wave_capacity=50)
    drop.waves.filter(wave_number=1).update(current_count=50, status="production")
    drop.waves.filter(wave_number=2).update(current_count=14)
    shop = shop_page(PHONE)
    page = shop.page

    shop.goto(drop.get_absolute_url())
    expect(page.get_by_text("Волна 2 из 3 · 14 из 50")).to_be_visible()
    progress = page.get_by_role("progressbar")
    expect(progress).to_have_attribute("value", "14")
    expect(progress).to_have_attribute("max", "50")
    shop.assert_fits_width()
    shop.shot("preorder")

    drop.waves.update(current_count=50)
    drop.order_type = "waiting"
    drop.save()
    page.reload()
    expect(page.get_by_role("button", name="В корзину")).to_have_count(0)
    page.get_by_label("Телефон").fill("8 916 000-11-22")
    page.get_by_role("button", name="Сообщить о новой волне").click()
    expect(page.get_by_text("Готово: пришлём SMS")).to_be_visible()
    shop.shot("waitlist")
    assert drop.waitlist.filter(phone="+79160001122").exists()


def test_gallery_and_cart_enhancements_work_in_the_browser(shop_page, hoodie):
    shop = shop_page(DESKTOP)
    page = shop.page
    shop.goto(hoodie.get_absolute_url())
    main = page.locator("#gallery-main")
    first, second = (picture.image.url for picture in hoodie.media.order_by("position"))
    expect(main).to_have_attribute("src", first)
    page.locator(f"[data-gallery-src='{second}']").click()
    expect(main).to_have_attribute("src", second)  # swapped in place, no navigation
    expect(page).to_have_url(re.compile(hoodie.get_absolute_url() + "$"))

    page.get_by_label("S", exact=True).check()
    page.get_by_role("button", name="В корзину").click()
    quantity = page.get_by_label(re.compile("Количество: Худи"))
    quantity.fill("3")
    quantity.dispatch_event("change")  # saved at once, without pressing «Обновить»
    expect(page.locator(".totals__final")).to_contain_text("14 970 ₽")
    shop.shot("cart-updated")

    page.get_by_role("button", name="Удалить").click()
    expect(page.get_by_text("В корзине пока ничего нет.")).to_be_visible()
