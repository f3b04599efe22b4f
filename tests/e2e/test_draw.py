"""A draw in a real browser on a phone: enter with a size and delivery, hold the money on YooKassa's page, and
after the draw see the result."""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import Product
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from drops.models import Draw, DrawEntry
from orders.services import draw_run
from tests.e2e.test_drop_release import PHONE_390, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


def _draw_run_when_free(product_id, attempts=60):
    """Runs the draw as the scheduler does, again while another runner holds it: the page's own read after the
    close may have started one in the live server's thread (busy), and SQLite's shared in-memory database refuses a
    write while that thread holds the table instead of waiting as PostgreSQL does."""
    for _ in range(attempts):
        try:
            report = draw_run(product_id=product_id)
        except OperationalError:
            report = None
        if report is not None and report.finished:
            return report
        if report is None or report.busy:
            # A runner in the server's thread refused by the table lock has died holding its lease: it lapses.
            Draw.objects.filter(pk=product_id).update(runner_until=None)
        time.sleep(0.25)
    return draw_run(product_id=product_id)


def test_enter_a_draw_hold_the_money_and_see_the_result_on_a_phone(shop_page, fake_yookassa_live, served_media):
    now = timezone.now()
    jacket = ProductFactory(
        name="Куртка «Жребий»",
        price=Decimal("14990.00"),
        stock={"M": 1},
        sale_mode=Product.SaleMode.DRAW,
        draw_opens_at=now - timedelta(minutes=1),
        draw_closes_at=now + timedelta(minutes=30),
    )
    ProductMediaFactory(product=jacket, position=0, alt="Куртка спереди")
    customer = UserFactory(address="Москва, ул. Тверская, д. 1")
    shop = shop_page(PHONE_390)
    page = shop.page

    sign_in(shop, customer, jacket.get_absolute_url())
    expect(page.get_by_text("SHA-256 зерна розыгрыша")).to_be_visible()
    page.get_by_role("link", name="Участвовать в розыгрыше").click()
    expect(page).to_have_url(re.compile(r"/draw/$"))
    expect(page.get_by_text("СБП переводит деньги сразу")).to_be_visible()
    page.get_by_label("M", exact=True).check()
    page.get_by_label("Курьер", exact=False).check()
    page.locator("textarea[name=delivery_address]").fill("Москва, ул. Тверская, д. 1")
    shop.assert_fits_width()
    shop.shot("entry-form")
    page.get_by_role("button", name=re.compile("Участвовать и заморозить")).click()

    expect(page.get_by_text("деньги будут заморожены")).to_be_visible()
    page.get_by_label("SberPay").check()
    page.get_by_role("button", name="Оплатить").click()
    expect(page.get_by_role("heading", name="Вы участвуете")).to_be_visible()
    shop.assert_fits_width()
    shop.shot("entered")

    # Entries close and the scheduler runs the draw.
    Product.objects.filter(pk=jacket.pk).update(draw_closes_at=timezone.now() - timedelta(seconds=1))
    result_url = page.url
    page.goto("about:blank")  # the page's own refreshes stop while the scheduler runs
    assert _draw_run_when_free(jacket.pk).finished
    page.goto(result_url)
    entry = DrawEntry.objects.get(user=customer)
    expect(page.get_by_role("heading", name="Вы выиграли!")).to_be_visible()
    expect(page.get_by_role("link", name=f"Заказ {entry.order_number}")).to_be_visible()
    expect(page.get_by_text(entry.draw.seed)).to_be_visible()
    shop.assert_fits_width()
    shop.shot("won")
