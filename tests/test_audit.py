"""The audit trail: who changed products, stock, waves, promo codes and orders, and when, seen in the admin."""

import pytest
from django.urls import reverse

from catalog.models import ProductStock
from catalog.tests.factories import ProductFactory
from conftest import client_for
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db


def test_a_stock_change_in_the_admin_is_recorded_with_its_author(staff, staff_user):
    product = ProductFactory(stock={"S": 3})
    row = ProductStock.objects.get(product=product, size="S")
    response = staff.post(
        reverse("admin:catalog_productstock_change", args=[row.pk]),
        {"product": product.pk, "size": "S", "quantity": 7},
    )
    assert response.status_code == 302
    latest = row.history.order_by("-history_date", "-history_id").first()
    assert latest.quantity == 7 and latest.history_user == staff_user and latest.history_type == "~"


def test_a_stock_change_through_the_api_is_recorded_with_its_author(staff_user):
    product = ProductFactory(stock={"S": 3, "M": 1})
    response = client_for(staff_user).patch(
        f"/api/v1/products/{product.pk}/", {"stock": {"S": 2, "M": 1}}, format="json"
    )
    assert response.status_code == 200
    s_row = ProductStock.objects.get(product=product, size="S")
    assert [(h.quantity, h.history_user) for h in s_row.history.order_by("-history_id")][0] == (2, staff_user)
    # An unchanged size gets no new record.
    assert ProductStock.objects.get(product=product, size="M").history.count() == 1


def test_a_promo_code_change_is_recorded(staff, staff_user):
    promo = PromoCodeFactory(code="SALE10", description="Старое")
    page = staff.get(reverse("admin:promos_promocode_change", args=[promo.pk]))
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update({"code": "SALE10", "description": "Новое", "discount_percent": 10, "discount_amount": ""})
    staff.post(reverse("admin:promos_promocode_change", args=[promo.pk]), data)
    latest = promo.history.order_by("-history_id").first()
    assert latest.description == "Новое" and latest.history_user == staff_user


@pytest.mark.parametrize("url_name", ["admin:catalog_product_history", "admin:promos_promocode_history"])
def test_the_history_is_shown_in_the_admin(staff, url_name):
    obj = ProductFactory(name="Худи") if "product" in url_name else PromoCodeFactory(code="SALE10")
    obj.save()
    response = staff.get(reverse(url_name, args=[obj.pk]))
    assert response.status_code == 200
    assert "История" in response.content.decode()
