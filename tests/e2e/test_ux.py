"""What a new customer and a new shop owner meet, in Debian's Chromium at a phone's 390×844 and a laptop's
1366×900: the buy button on the first screen, folded filters, a cart that follows the stock, order timelines,
the product editors without JSON and an analytics page that fits a phone. Screenshots go to test-artifacts/."""

import re
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from catalog.models import Product
from catalog.services import product_set_stock
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from orders.services import order_mark_paid, order_place, order_set_tracking
from preorders.tests.factories import PreorderProductFactory

ADDRESS = "Москва, ул. Тверская, д. 1, кв. 1"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
PASSWORD = "very-secret-1"


@pytest.fixture
def hoodie(served_media):
    product = ProductFactory(
        name="Худи «Базовое» чёрное",
        price=Decimal("6490.00"),
        stock={"S": 12, "M": 3, "L": 0},
        size_table=[["Размер", "Грудь, см", "Длина, см"], ["S", "100", "68"], ["M", "106", "70"]],
    )
    ProductMediaFactory(product=product, position=0, alt="Худи спереди")
    ProductMediaFactory(product=product, position=1, alt="Худи сзади")
    ProductFactory(name="Кепка", price=Decimal("1990.00"), sizes=[], size_table=[], stock={"ONE SIZE": 4})
    PreorderProductFactory(name="Пуховик «Дроп»", price=Decimal("18900.00"))
    return product


def _sign_in(shop, phone: str, *, admin: bool = False):
    page = shop.page
    shop.goto("/admin/login/" if admin else "/login/")
    page.locator("input[name=username]" if admin else "input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit], button[type=submit]").last.click()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_catalog_filters_fold_on_a_phone_and_product_buy_button_is_on_the_first_screen(
    shop_page, hoodie, viewport
):
    shop = shop_page(viewport)
    page = shop.page
    phone = viewport is PHONE

    shop.goto("/")
    search = page.get_by_label("Поиск")
    if phone:
        expect(search).to_be_hidden()
        toggle = page.get_by_text("Фильтры и сортировка")
        box = toggle.bounding_box()
        assert box["height"] < 60, "the folded filters take one button's height"
        shop.shot("catalog-folded")
        toggle.click()
    expect(search).to_be_visible()
    shop.assert_fits_width()
    shop.shot("catalog")

    # Badges sit under the picture, not on it.
    card = page.locator(".card", has_text="Пуховик")
    picture, badge = card.locator(".card__media").bounding_box(), card.locator(".badge").bounding_box()
    assert badge["y"] >= picture["y"] + picture["height"]

    shop.goto(hoodie.get_absolute_url())
    button = page.get_by_role("button", name="В корзину")
    box = button.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"], f"«В корзину» ends at {box['y'] + box['height']}px"
    price = page.locator(".product__price").bounding_box()
    assert price["y"] + price["height"] <= viewport["height"]
    expect(page.get_by_text("осталось 3")).to_be_visible()
    shop.assert_fits_width()
    shop.shot("product")


def test_the_cart_corrects_a_quantity_over_the_stock(shop_page, hoodie):
    shop = shop_page(PHONE)
    page = shop.page
    shop.goto(hoodie.get_absolute_url())
    page.get_by_label("M", exact=True).check()
    page.get_by_role("button", name="В корзину").click()
    expect(page.get_by_text("В корзине: Худи «Базовое» чёрное, M — 1 шт.")).to_be_visible()

    quantity = page.get_by_label(re.compile("Количество: Худи"))
    quantity.fill("50")
    quantity.dispatch_event("change")
    expect(page.get_by_text("осталось 3 шт., количество уменьшено с 50 до 3")).to_be_visible()
    expect(page.get_by_label(re.compile("Количество: Худи"))).to_have_value("3")
    expect(page.locator(".totals__final")).to_contain_text("19 470 ₽")
    shop.assert_fits_width()
    shop.shot("cart-corrected")

    page.reload()  # told once
    expect(page.get_by_text("количество уменьшено")).to_have_count(0)

    # A product without sizes reads without «ONE SIZE».
    shop.goto(Product.objects.get(name="Кепка").get_absolute_url())
    page.get_by_role("button", name="В корзину").click()
    expect(page.get_by_text("В корзине: Кепка — 1 шт.")).to_be_visible()
    expect(page.get_by_text("ONE SIZE")).to_have_count(0)
    shop.shot("cart-one-size")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_stock_order_shows_its_timeline_and_tracking_link(shop_page, hoodie, viewport):
    customer = UserFactory(phone="+79165554433", password=PASSWORD)
    order = order_place(
        user=customer, items=[{"product": hoodie, "size": "S", "quantity": 2}], delivery_address=ADDRESS
    )
    order_mark_paid(order=order)
    order_set_tracking(order=order, tracking_number="1234567890", by=None)
    shop = shop_page(viewport)
    page = shop.page
    _sign_in(shop, customer.phone)
    expect(page).to_have_url(re.compile(r"/account/$"))
    shop.goto(order.get_absolute_url())
    timeline = page.get_by_role("list", name=re.compile("История заказа"))
    expect(timeline.locator("li")).to_have_count(3)
    expect(timeline).to_contain_text("Заказ оформлен.")
    expect(timeline).to_contain_text("Заказ оплачен.")
    link = timeline.get_by_role("link", name=re.compile("Отследить посылку 1234567890"))
    expect(link).to_have_attribute("href", "https://www.cdek.ru/ru/tracking?order_id=1234567890")
    shop.assert_fits_width()
    shop.shot("order-timeline")


def test_checkout_sign_in_step_keeps_the_header_link(shop_page, hoodie):
    shop = shop_page(PHONE)
    page = shop.page
    shop.goto(hoodie.get_absolute_url())
    page.get_by_label("S", exact=True).check()
    page.get_by_role("button", name="В корзину").click()
    page.get_by_role("button", name="Оформить заказ").click()
    expect(page).to_have_url(re.compile(r"/login/\?next=/checkout/"))
    expect(page.get_by_role("button", name="Войти")).to_have_count(1)
    expect(page.locator(".site-header").get_by_role("link", name="Войти")).to_be_visible()
    shop.assert_fits_width()
    shop.shot("sign-in-step")
    page.get_by_role("link", name="Зарегистрироваться").click()
    expect(page.get_by_role("button", name="Войти")).to_have_count(0)
    shop.shot("register-step")


def test_the_admin_product_form_edits_sizes_and_the_size_table_without_json(shop_page, served_media):
    UserFactory(phone="+79990000001", password=PASSWORD, is_staff=True, is_superuser=True)
    shop = shop_page(LAPTOP)
    page = shop.page
    _sign_in(shop, "+79990000001", admin=True)
    shop.goto("/admin/catalog/product/add/")
    expect(page.locator("textarea[name=sizes]")).to_have_count(0)
    page.locator("#id_name").fill("Футболка «Логотип»")
    page.locator("#id_article").fill("TS-LOGO")
    page.locator("#id_price").fill("2490")
    sizes = page.locator("input[name=sizes]")
    sizes.nth(0).fill("S")
    sizes.nth(1).fill("M")
    page.get_by_role("button", name="+ Размер").click()
    page.locator("input[name=sizes]").nth(2).fill("L")
    page.locator("input[name=size_table__r0c0]").fill("Размер")
    page.locator("input[name=size_table__r0c1]").fill("Грудь, см")
    page.locator("input[name=size_table__r1c0]").fill("S")
    page.locator("input[name=size_table__r1c1]").fill("98")
    page.get_by_role("button", name="+ Строка").click()
    page.locator("input[name=size_table__r3c0]").fill("M")
    page.locator("input[name=size_table__r3c1]").fill("104")
    # A stock product has no preorder section; a preorder has no stock rows.
    expect(page.locator("fieldset.dwc-preorder-only")).to_be_hidden()
    expect(page.locator("#stock-group")).to_be_visible()
    page.locator("#id_order_type").select_option("preorder")
    expect(page.locator("fieldset.dwc-preorder-only")).to_be_visible()
    expect(page.locator("#stock-group")).to_be_hidden()
    page.locator("#id_order_type").select_option("in_stock")
    shop.shot("product-form")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("Добавлено")
    product = Product.objects.get(article="TS-LOGO")
    assert product.sizes == ["S", "M", "L"]
    assert product.size_table == [["Размер", "Грудь, см"], ["S", "98"], ["M", "104"]]
    expect(page.locator("link[rel=icon]")).to_have_count(1)
    shop.shot("product-saved")

    product_set_stock(product=product, stock={"S": 5, "M": 5})
    customer = UserFactory(phone="+79165554433", full_name="Анна Покупатель")
    paid = order_place(
        user=customer, items=[{"product": product, "size": "M", "quantity": 2}], delivery_address=ADDRESS
    )
    order_mark_paid(order=paid)
    order_set_tracking(order=paid, tracking_number="1234567890", by=None)
    order_place(user=customer, items=[{"product": product, "size": "S", "quantity": 1}], delivery_address=ADDRESS)
    shop.goto("/admin/orders/order/")
    expect(page.locator(".dwc-badge--shipped")).to_have_text("Отправлен")
    expect(page.locator(".dwc-badge--pending").first).to_be_visible()
    expect(page.get_by_text("4 980 ₽").first).to_be_visible()  # to pay, and net of refunds
    table = page.locator("#result_list").bounding_box()
    assert table["x"] + table["width"] <= LAPTOP["width"], "the orders list fits a 1366 px screen"
    shop.assert_fits_width()
    shop.shot("orders-list")

    page.get_by_role("link", name=paid.order_number).click()
    expect(page.locator(".dwc-timeline li")).to_have_count(3)
    expect(page.get_by_role("link", name="отследить в СДЭК")).to_be_visible()
    expect(page.get_by_role("link", name="Открыть на сайте СДЭК")).to_be_visible()
    shop.shot("order-page")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_analytics_reads_on_a_phone(shop_page, hoodie, viewport):
    UserFactory(phone="+79990000001", password=PASSWORD, is_staff=True, is_superuser=True)
    customer = UserFactory()
    order_mark_paid(
        order=order_place(
            user=customer, items=[{"product": hoodie, "size": "S", "quantity": 2}], delivery_address=ADDRESS
        )
    )
    shop = shop_page(viewport)
    page = shop.page
    _sign_in(shop, "+79990000001", admin=True)
    shop.goto("/admin/analytics/")
    expect(page.locator("#kpi-revenue")).to_have_text("12 980 ₽")
    expect(page.locator("#dash-kpi .dash-change").first).to_contain_text("прошлый период: 0 ₽")
    expect(page.get_by_role("link", name="Скачать CSV по дням")).to_be_visible()
    shop.assert_fits_width()
    shop.shot("analytics")
