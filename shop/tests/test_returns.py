"""The customer's return pages: the offer on a delivered order's page and the form that asks for a return."""

import pytest

from fulfilment.models import ReturnRequest
from fulfilment.tests.factories import delivered_order, paid_order

pytestmark = pytest.mark.django_db


def test_a_delivered_order_offers_a_return_until_its_deadline(customer, customer_client):
    order = delivered_order(user=customer, items=2)
    page = customer_client.get(f"/orders/{order.order_number}/").content.decode()
    assert "Товар можно вернуть до" in page and f"/orders/{order.order_number}/returns/" in page

    not_yet = paid_order(user=customer)
    assert "Вернуть товар" not in customer_client.get(f"/orders/{not_yet.order_number}/").content.decode()
    closed = customer_client.get(f"/orders/{not_yet.order_number}/returns/").content.decode()
    assert "кнопка появится, когда заказ будет у вас" in closed


def test_the_form_asks_for_a_return_of_chosen_units(customer, customer_client):
    order = delivered_order(user=customer, items=2)
    first, second = order.items.order_by("id")
    answer = customer_client.post(
        f"/orders/{order.order_number}/returns/",
        {
            f"quantity_{first.pk}": "1",
            f"quantity_{second.pk}": "0",
            "reason": "Не подошёл размер",
            "details": "Мал",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == f"/orders/{order.order_number}/"
    made = ReturnRequest.objects.get()
    assert made.reason == "Не подошёл размер: Мал"
    assert list(made.lines.values_list("item_id", "quantity")) == [(first.pk, 1)]
    page = customer_client.get(answer["Location"]).content.decode()
    assert "Заявка №" in page and "ждёт решения магазина" in page


def test_a_form_without_units_or_reason_says_what_is_missing(customer, customer_client):
    order = delivered_order(user=customer)
    (item,) = order.items.all()
    nothing = customer_client.post(f"/orders/{order.order_number}/returns/", {"reason": "Брак или повреждение"})
    assert nothing.status_code == 400 and "хотя бы одну единицу" in nothing.content.decode()
    other = customer_client.post(
        f"/orders/{order.order_number}/returns/", {f"quantity_{item.pk}": "1", "reason": "Другое"}
    )
    assert "Расскажите, почему" in other.content.decode()
    assert not ReturnRequest.objects.exists()


def test_nobody_else_sees_the_return_page(customer_client):
    order = delivered_order()
    assert customer_client.get(f"/orders/{order.order_number}/returns/").status_code == 404
