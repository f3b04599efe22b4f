"""After a partial refund every screen shows the same figures: the customer's order page and account, the admin's
order page and list, the analytics summary, dashboard and CSV. Payments and the refund go through the fake
YooKassa over real HTTP."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.selectors import analytics_summary, period_build
from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders.models import OrderStatus
from orders.services import order_place, order_refund
from orders.tests.factories import OrderFactory
from orders.tests.helpers import order_pay
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def refunded(user, staff_user, fake_yookassa, settings):
    """Two hoodies at 8990 less 10 % (16 182 ₽) and 390 delivery, paid; one hoodie refunded (8 091 ₽)."""
    settings.DELIVERY_FLAT_AMOUNT = "390.00"
    hoodie = ProductFactory(name="Худи", price=Decimal("8990.00"), stock={"M": 5})
    PromoCodeFactory(code="TEN", discount_percent=10)
    order = order_place(
        user=user,
        items=[{"product": hoodie.pk, "size": "M", "quantity": 2}],
        delivery_address="Москва, ул. Тверская, 1",
        promo_code="TEN",
    )
    order_pay(order, fake_yookassa)
    [line] = order.items.all()
    order = order_refund(order=order, items=[(line.pk, 1)], by=staff_user)
    assert order.status == OrderStatus.PAID
    assert (order.final_amount, order.refunded_amount, order.net_amount) == (
        Decimal("16572.00"),
        Decimal("8091.00"),
        Decimal("8481.00"),
    )
    return order


def test_the_customer_sees_the_refund_and_the_net_on_the_order_page_and_in_the_account(refunded, client, user):
    client.force_login(user)
    html = client.get(refunded.get_absolute_url()).content.decode()
    assert "−8 091 ₽" in html and "Итого с учётом возврата" in html
    assert 'data-testid="net-amount">8 481 ₽' in html
    assert "возвращено 1 шт." in html
    account = client.get(reverse("shop:account")).content.decode()
    assert "8 481 ₽" in account and "возвращено <span" in account


def test_the_api_answers_the_same_figures(refunded, user):
    body = client_for(user).get(f"/api/v1/orders/{refunded.order_number}/").json()
    assert (body["final_amount"], body["refunded_amount"], body["net_amount"]) == (
        "16572.00",
        "8091.00",
        "8481.00",
    )


def test_the_admin_order_page_and_list_show_the_refund_and_the_net(refunded, staff):
    html = staff.get(reverse("admin:orders_order_change", args=[refunded.pk])).content.decode()
    assert "8 091 ₽" in html and "8 481 ₽" in html
    assert 'data-testid="admin-refund"' in html and "Худи, M × 1" in html
    listing = staff.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "8 481 ₽" in listing and "8 091 ₽" in listing


def test_the_admin_order_page_shows_the_pickup_point_not_the_home_address(staff):
    order = OrderFactory(
        delivery_method="cdek_pickup",
        cdek_point="MSK65",
        cdek_point_name="На Тверской",
        cdek_point_address="Москва, ул. Тверская, 7",
        delivery_address="Москва, ул. Домашняя, 1",
    )
    html = staff.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Пункт выдачи СДЭК" in html and "«На Тверской», Москва, ул. Тверская, 7 (MSK65)" in html
    assert "ул. Домашняя" not in html


def test_the_admin_order_page_shows_the_courier_address_and_city(staff):
    order = OrderFactory(
        delivery_method="courier", delivery_address="ул. Ленина, 1, кв. 5", delivery_city="Казань"
    )
    html = staff.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Курьер</strong>: ул. Ленина, 1, кв. 5, Казань" in html


def test_analytics_revenue_falls_by_the_refund_which_is_its_own_figure(refunded, staff):
    today = refunded.created_at.astimezone(tz=None).date()
    period = period_build(date_from=date(today.year, 1, 1), date_to=today)
    summary = analytics_summary(period=period)
    assert summary["revenue"] == Decimal("8481.00") and summary["refunds_total"] == Decimal("8091.00")
    [day] = [row for row in summary["revenue_by_day"] if row["refunds"]]
    assert (day["revenue"], day["refunds"]) == (Decimal("8481.00"), Decimal("8091.00"))
    [top] = summary["top_products_by_revenue"]
    assert (top["units"], top["revenue"]) == (1, Decimal("8091.00"))  # the kept hoodie, after the discount
    query = f"?date_from={period.date_from}&date_to={period.date_to}"
    csv = staff.get(reverse("analytics:export") + query).content.decode("utf-8-sig")
    assert "Возвраты, ₽" in csv and "8481,00;8091,00" in csv
    dashboard = staff.get(reverse("analytics:dashboard") + query).content.decode()
    assert "Возвраты по дням" in dashboard and "8 091 ₽" in dashboard
