"""Small truths people read: phones as «+7 916 123-45-67», one date format, «ё», one SMS signature, readable SMS in
the log, a `code` on every 400."""

import json
import logging
import logging.config
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.sms_backends import ConsoleBackend
from catalog.tests.factories import ProductFactory
from config.russian import datetime_ru
from drops.errors import SaleNotStarted
from drops.services import drop_sale_check
from orders import notifications
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_one_date_format_for_moments():
    moment = datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("UTC"))  # 12:00 in Moscow
    assert datetime_ru(moment) == "5 декабря 2026, 12:00"
    product = ProductFactory(sale_starts_at=moment)
    item = type("Item", (), {"product": product})()
    with pytest.raises(SaleNotStarted) as refused:
        drop_sale_check(items=[item], now=datetime(2026, 12, 1, tzinfo=ZoneInfo("UTC")))
    assert "5 декабря 2026, 12:00" in refused.value.message


def test_phones_read_as_people_write_them(user, staff):
    user.phone = "+79990000002"
    user.save()
    customer = Client()
    customer.force_login(user)
    assert "+7 999 000-00-02" in customer.get(reverse("shop:account")).content.decode()
    OrderFactory(user=user)
    listing = staff.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "+7 999 000-00-02" in listing and "+79990000002<" not in listing
    assert "+7 999 000-00-02" in staff.get(reverse("admin:accounts_user_changelist")).content.decode()


def test_yo_where_the_api_says_credentials(api_client):
    assert api_client.get("/api/v1/users/me/").json()["detail"] == "Учётные данные не были предоставлены."


def test_field_errors_carry_a_code_and_their_fields(api_client):
    response = api_client.post("/api/v1/delivery/quote/", {"items": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"] and "items" in body["fields"]
    assert body["items"] == body["fields"]["items"]  # the fields stay where clients read them before


def test_a_field_named_code_keeps_its_errors_in_fields(api_client):
    response = api_client.post("/api/v1/promo-codes/validate/", {"items": []}, format="json")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid" and "code" in body["fields"]


def test_every_sms_is_signed_the_same_way():
    order = OrderFactory(order_number="DWC-2026-000001", tracking_number="123")
    texts = [
        notifications.order_paid_text(order),
        notifications.order_shipped_text(order),
        notifications.order_payment_canceled_text(order),
        notifications.order_refunded_text(order, amount=order.final_amount, full=True),
    ]
    assert all(text.startswith("DWC Shop: ") for text in texts)


def test_sms_in_the_json_log_read_as_russian(capsys):
    config = {**settings.LOGGING, "root": {"handlers": ["console"], "level": "INFO"}}
    config["formatters"] = {"json": settings.LOGGING["formatters"]["json"]}
    config["handlers"] = {"console": {**settings.LOGGING["handlers"]["console"], "formatter": "json"}}
    logging.config.dictConfig(config)
    try:
        ConsoleBackend().send("+79990000002", "DWC Shop: код 1234")
        line = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert "DWC Shop: код 1234" in line and "\\u" not in line
    assert json.loads(line)["message"].endswith("DWC Shop: код 1234")
