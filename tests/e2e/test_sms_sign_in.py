"""A customer signs in with a code from SMS, and resets a forgotten password, in a real browser."""

import re

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect

PHONE_SIZE = {"width": 390, "height": 844}
DESKTOP_SIZE = {"width": 1366, "height": 900}


def last_code(sms_outbox) -> str:
    return re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)


@pytest.mark.parametrize("viewport", [DESKTOP_SIZE, PHONE_SIZE], ids=["desktop", "phone"])
def test_sign_in_by_code_creates_the_account(shop_page, sms_outbox, viewport):
    shop = shop_page(viewport)
    page = shop.page

    shop.goto("/login/")
    shop.shot("login")
    page.get_by_role("link", name="Войти по коду из SMS").click()
    page.get_by_label("Телефон").fill("8 916 555-44-33")
    shop.assert_fits_width()
    shop.shot("phone")
    page.get_by_role("button", name="Получить код").click()

    expect(page.get_by_label("Код из SMS")).to_be_visible()
    shop.assert_fits_width()
    shop.shot("code")
    page.get_by_label("Код из SMS").fill(last_code(sms_outbox))
    page.get_by_label("Согласен на обработку персональных данных").check()
    page.get_by_role("button", name="Войти").click()

    expect(page.get_by_text("Добро пожаловать в DWC!")).to_be_visible()
    assert User.objects.get(phone="+79165554433").phone_verified
    shop.shot("signed-in")


@pytest.mark.parametrize("viewport", [DESKTOP_SIZE, PHONE_SIZE], ids=["desktop", "phone"])
def test_forgotten_password(shop_page, sms_outbox, viewport):
    user = UserFactory(phone="+79165554433")
    shop = shop_page(viewport)
    page = shop.page

    shop.goto("/login/")
    page.get_by_role("link", name="Забыли пароль?").click()
    page.get_by_label("Телефон").fill("+7 916 555 44 33")
    page.get_by_role("button", name="Получить код").click()
    page.get_by_label("Код из SMS").fill("000000" if last_code(sms_outbox) != "000000" else "111111")
    page.get_by_label("Новый пароль").fill("новый-пароль")
    page.get_by_role("button", name="Сохранить пароль").click()
    expect(page.get_by_text(re.compile("Неверный код"))).to_be_visible()
    shop.assert_fits_width()
    shop.shot("wrong-code")

    page.get_by_label("Код из SMS").fill(last_code(sms_outbox))
    page.get_by_label("Новый пароль").fill("новый-пароль")
    page.get_by_role("button", name="Сохранить пароль").click()
    expect(page.get_by_text("Пароль изменён.")).to_be_visible()
    user.refresh_from_db()
    assert user.check_password("новый-пароль")
    shop.shot("done")
