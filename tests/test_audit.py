"""The audit trail: staff changes of products, stock, waves, promo codes and orders, by whom and when."""

import pytest
from django.urls import reverse

from catalog.tests.factories import ProductFactory
from promos.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db


def test_a_staff_change_is_recorded_with_its_author(staff, staff_user):
    promo = PromoCodeFactory(code="SALE10", description="Старое")
    promo.description = "Новое"
    # Through a request, so the middleware names the author.
    staff.get(reverse("admin:index"))
    from simple_history.models import HistoricalRecords

    HistoricalRecords.context.request = type("R", (), {"user": staff_user})()
    try:
        promo.save()
    finally:
        del HistoricalRecords.context.request
    latest = promo.history.first()
    assert latest.description == "Новое" and latest.history_user == staff_user
    assert promo.history.count() == 2


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:catalog_product_history",
        "admin:promos_promocode_history",
    ],
)
def test_the_history_is_shown_in_the_admin(staff, url_name):
    obj = ProductFactory(name="Худи") if "product" in url_name else PromoCodeFactory(code="SALE10")
    obj.save()
    response = staff.get(reverse(url_name, args=[obj.pk]))
    assert response.status_code == 200
    assert "История" in response.content.decode()


def test_stock_changes_are_recorded():
    product = ProductFactory(stock={"S": 3})
    stock = product.stock_items.get(size="S") if hasattr(product, "stock_items") else None
    if stock is None:
        from catalog.models import ProductStock

        stock = ProductStock.objects.get(product=product, size="S")
    stock.quantity = 5
    stock.save()
    assert [row.quantity for row in stock.history.all()][:1] == [5]
