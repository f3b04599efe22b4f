"""The back office speaks correct Russian in what Django composes: counts, headings, messages, dates."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from config.russian import phone_ru
from orders.tests.factories import OrderFactory
from pages.models import Page
from preorders.tests.factories import PreorderProductFactory
from tests.admin_helpers import texts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("count", "words"), [(1, "1 товар"), (3, "3 товара"), (13, "13 товаров"), (21, "21 товар")]
)
def test_list_counts_agree_with_their_number(staff, count, words):
    ProductFactory.create_batch(count)
    html = staff.get(reverse("admin:catalog_product_changelist")).content.decode()
    assert f'<span class="paginator-count">{words}</span>' in html


def test_orders_count_heading_and_add_button(staff):
    OrderFactory.create_batch(15)
    html = staff.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "15 заказов" in html and "<h1>Заказы</h1>" in html and "Добавить заказ" in html
    waves = staff.get(reverse("admin:preorders_preorderwave_changelist")).content.decode()
    assert "<h1>Волны предзаказа</h1>" in waves and "Добавить волну предзаказа" in waves
    assert "Выберите волна" not in waves and "ДОБАВИТЬ ВОЛНА" not in waves.upper()
    add = staff.get(reverse("admin:preorders_preorderwave_add")).content.decode()
    assert "<h1>Добавить волну предзаказа</h1>" in add


def test_saved_and_deleted_messages_name_the_object_in_guillemets(staff):
    PreorderProductFactory()
    wave_url = reverse("admin:preorders_preorderwave_changelist")
    wave = staff.get(wave_url).context["cl"].result_list[0]
    change = reverse("admin:preorders_preorderwave_change", args=[wave.pk])
    response = staff.post(change, {"capacity": wave.capacity, "status": "collecting", "status_message": ""})
    [text] = texts(response)
    assert text.startswith("Сохранено: волна предзаказа «<a ") and text.endswith(f">{wave}</a>».")
    page = Page.objects.create(title="О нас", slug="about", content="…")
    response = staff.post(reverse("admin:pages_page_delete", args=[page.pk]), {"post": "yes"})
    assert texts(response)[-1] == "Удалено: страница «О нас»."


def test_bulk_delete_counts_agree(staff):
    pages = [Page.objects.create(title=f"Стр {n}", slug=f"p{n}", content="…") for n in range(5)]
    response = staff.post(
        reverse("admin:pages_page_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in pages], "post": "yes"},
    )
    assert texts(response) == ["Удалено: 5 страниц."]


def test_date_drill_down_names_the_day_with_its_month_in_the_genitive(staff):
    order = OrderFactory()
    type(order).objects.filter(pk=order.pk).update(created_at=timezone.make_aware(datetime(2026, 12, 4, 12)))
    url = reverse("admin:orders_order_changelist")
    html = staff.get(url, {"created_at__year": 2026, "created_at__month": 12}).content.decode()
    assert "4 декабря" in html and "4 Декабрь" not in html


def test_a_refusal_is_the_only_message_of_its_outcome(rf):
    """In the back office a refusal is not followed (or preceded) by Django's «Сохранено»; the storefront's
    messages are left alone."""
    from django.contrib.messages import constants

    from config.messages import OneOutcomeStorage

    request = rf.post(reverse("admin:preorders_preorderwave_changelist"))
    request.session = {}
    storage = OneOutcomeStorage(request)
    storage.add(constants.SUCCESS, "Сохранено: заказ «DWC-1».")
    storage.add(constants.ERROR, "DWC-1: так нельзя.")
    storage.add(constants.SUCCESS, "Сохранено: заказ «DWC-1».")
    assert [m.message for m in storage._queued_messages] == ["DWC-1: так нельзя."]
    cart = rf.post("/cart/")
    cart.session = {}
    shop = OneOutcomeStorage(cart)
    shop.add(constants.ERROR, "Нет в наличии.")
    shop.add(constants.SUCCESS, "Промокод применён.")
    assert len(shop._queued_messages) == 2


def test_the_header_greets_staff_by_name_or_a_readable_phone(staff, staff_user):
    staff_user.full_name = ""
    staff_user.save()
    html = staff.get(reverse("admin:index")).content.decode()
    assert f"<strong>{phone_ru(staff_user.phone)}</strong>" in html and staff_user.phone not in html
    staff_user.full_name = "Анна Смирнова"
    staff_user.save()
    assert "<strong>Анна Смирнова</strong>" in staff.get(reverse("admin:index")).content.decode()
