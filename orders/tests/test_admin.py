"""Orders in the admin: the list, search and filters, actions through the services, tracking, refund, CSV."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from orders import services as order_services
from orders.models import Order, OrderEvent, OrderStatus, PaymentStatus
from orders.tests.factories import OrderFactory, OrderItemFactory
from promos.tests.factories import PromoCodeFactory
from tests.admin_helpers import texts

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:orders_order_changelist")
EXPORT = reverse("admin:orders_order_export")


def order_with_item(**fields):
    order = OrderFactory(**fields)
    OrderItemFactory(order=order, price=order.total_amount)
    return order


def act(client, action, orders, **extra):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [o.pk for o in orders], **extra}, follow=True
    )


def change_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


# --- The list -------------------------------------------------------------------------------------------------------
def test_changelist_shows_number_phone_amounts_statuses(staff):
    order = order_with_item(
        user=UserFactory(phone="+79161234567"),
        total_amount=Decimal("3490.00"),
        discount_amount=Decimal("349.00"),
        status=OrderStatus.PAID,
        payment_status=PaymentStatus.SUCCEEDED,
    )
    html = staff.get(CHANGELIST).content.decode()
    for text in [
        order.order_number,
        "+7 916 123-45-67",
        '<span class="dwc-money">3 141 ₽</span>',
        '<span class="dwc-badge dwc-badge--paid">Оплачен</span>',
        '<span class="dwc-badge dwc-badge--succeeded">Оплачен</span>',
    ]:
        assert text in html
    assert "3141,00" not in html and "3141.00" not in html


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(CHANGELIST).status_code == 200
    return len(ctx.captured_queries)


def test_changelist_query_count_does_not_grow_with_orders(staff):
    for _ in range(3):
        order_with_item(promo_code=PromoCodeFactory())
    few = _changelist_queries(staff)
    for _ in range(20):
        order_with_item(promo_code=PromoCodeFactory())
    assert _changelist_queries(staff) == few


@pytest.mark.parametrize("typed", ["DWC-2026-900", "+79165550011", "8 916 555-00-11", "+7 (916) 555-00-11"])
def test_search_by_number_or_phone(staff, typed):
    wanted = OrderFactory(order_number="DWC-2026-900777", user=UserFactory(phone="+79165550011"))
    other = OrderFactory(order_number="DWC-2026-000001", user=UserFactory(phone="+79160000000"))
    result = list(staff.get(CHANGELIST, {"q": typed}).context["cl"].result_list)
    assert wanted in result and other not in result


def test_filters_by_status_and_payment_status(staff):
    paid = OrderFactory(status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED)
    pending = OrderFactory()
    result = list(staff.get(CHANGELIST, {"status__exact": "paid"}).context["cl"].result_list)
    assert result == [paid]
    result = list(staff.get(CHANGELIST, {"payment_status__exact": "pending"}).context["cl"].result_list)
    assert result == [pending]


def test_change_page_shows_items_and_keeps_money_read_only(staff):
    order = order_with_item(total_amount=Decimal("2490.00"))
    response = staff.get(change_url(order))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for field in ["total_amount", "discount_amount", "final_amount", "status", "payment_status"]:
        assert field not in form.fields
    assert "tracking_number" in form.fields
    html = response.content.decode()
    assert "Позиции заказа" in html and "2 490 ₽" in html and "2490,00" not in html


def test_change_page_shows_the_timeline_with_a_tracking_link_and_no_bare_dashes(staff):
    order = order_with_item(total_amount=Decimal("2490.00"), status=OrderStatus.PAID)
    OrderEvent.objects.create(order=order, status=OrderStatus.PENDING, message="Заказ оформлен.")
    OrderEvent.objects.create(
        order=order,
        status=OrderStatus.SHIPPED,
        message="Заказ передан в доставку, трек-номер 1234567890.",
        tracking_number="1234567890",
    )
    html = staff.get(change_url(order)).content.decode()
    assert html.index("Заказ оформлен.") < html.index("трек-номер 1234567890")
    assert 'href="https://www.cdek.ru/ru/tracking?order_id=1234567890"' in html
    assert "чека нет: заказ не оплачивали через ЮKassa" in html
    assert "favicon.svg" in html and "backoffice/admin.css" in html


def test_add_order_picks_the_customer_and_product_by_search(staff):
    html = staff.get(reverse("admin:orders_order_add")).content.decode()
    assert 'data-model-name="user"' in html or "admin-autocomplete" in html
    assert html.count("admin-autocomplete") >= 2


def test_money_cannot_be_posted(staff):
    order = order_with_item(total_amount=Decimal("2490.00"), status=OrderStatus.PAID)
    staff.post(
        change_url(order),
        {
            "final_amount": "1.00",
            "total_amount": "1.00",
            "status": "delivered",
            "tracking_number": "",
            "delivery_address": "Москва",
            "cdek_point": "",
            "new_status": "",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "1",
            "preorder_statuses-TOTAL_FORMS": "0",
            "preorder_statuses-INITIAL_FORMS": "0",
        },
    )
    order.refresh_from_db()
    assert order.final_amount == Decimal("2490.00") and order.status == OrderStatus.PAID
    assert order.delivery_address == "Москва"


def test_customers_are_sent_to_login(client):
    order = OrderFactory()
    client.force_login(UserFactory())
    for url in [CHANGELIST, change_url(order), EXPORT]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_orders_are_never_deleted(staff):
    order = OrderFactory()
    assert staff.get(reverse("admin:orders_order_delete", args=[order.pk])).status_code == 403


# --- Status actions -------------------------------------------------------------------------------------------------
def test_allowed_transition_moves_the_order(staff):
    order = OrderFactory(status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED)
    response = act(staff, "set_status_processing", [order])
    order.refresh_from_db()
    assert order.status == OrderStatus.PROCESSING
    assert any("В обработке" in text for text in texts(response))


def test_illegal_transition_leaves_the_order_and_says_why(staff):
    pending = OrderFactory(status=OrderStatus.PENDING)
    paid = OrderFactory(status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED)
    response = act(staff, "set_status_delivered", [pending, paid])
    pending.refresh_from_db()
    paid.refresh_from_db()
    assert pending.status == OrderStatus.PENDING and paid.status == OrderStatus.PAID
    messages = texts(response)
    assert any(pending.order_number in text and "нельзя" in text for text in messages)
    assert any(paid.order_number in text for text in messages)


def test_status_actions_offer_only_staff_transitions(staff):
    actions = dict(
        (name, str(label)) for name, label in staff.get(CHANGELIST).context["action_form"].fields["action"].choices
    )
    assert "set_status_processing" in actions and "set_status_delivered" in actions
    assert "set_status_paid" not in actions and "set_status_refunded" not in actions


def test_cancel_action_cancels_unpaid_and_refuses_paid(staff):
    product = ProductFactory(stock={"M": 2})
    from orders.services import order_place

    unpaid = order_place(
        delivery_address="Москва, ул. Тверская, 1",
        user=UserFactory(),
        items=[{"product": product, "size": "M", "quantity": 2}],
    )
    paid = OrderFactory(status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED)
    response = act(staff, "cancel", [unpaid, paid])
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert unpaid.status == OrderStatus.CANCELLED
    assert product.stock.get(size="M").quantity == 2
    assert paid.status == OrderStatus.PAID
    assert any(paid.order_number in text for text in texts(response))


def test_change_form_offers_allowed_statuses_only(staff):
    order = OrderFactory(status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED)
    choices = [
        value for value, _ in staff.get(change_url(order)).context["adminform"].form.fields["new_status"].choices
    ]
    assert choices == ["", "processing", "shipped"]


def change_data(order, **fields):
    data = {
        "tracking_number": order.tracking_number,
        "delivery_address": order.delivery_address,
        "cdek_point": order.cdek_point,
        "new_status": "",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
        "preorder_statuses-TOTAL_FORMS": "0",
        "preorder_statuses-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def test_change_form_moves_the_status(staff):
    order = OrderFactory(status=OrderStatus.PAID, payment_status=PaymentStatus.SUCCEEDED)
    response = staff.post(change_url(order), change_data(order, new_status="processing"))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PROCESSING


def test_change_form_refuses_a_status_not_allowed(staff):
    order = OrderFactory(status=OrderStatus.PENDING)
    response = staff.post(change_url(order), change_data(order, new_status="delivered"))
    assert response.status_code == 200 and response.context["adminform"].form.errors
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


# --- Tracking number ------------------------------------------------------------------------------------------------
def test_tracking_number_ships_the_order_and_sends_an_sms(staff, django_capture_on_commit_callbacks, sms_outbox):
    order = OrderFactory(
        status=OrderStatus.PROCESSING,
        payment_status=PaymentStatus.SUCCEEDED,
        user=UserFactory(phone="+79161112233"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(change_url(order), change_data(order, tracking_number=" 1234567890 "))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED and order.tracking_number == "1234567890"
    assert order.shipped_at is not None
    assert [m.phone for m in sms_outbox] == ["+79161112233"]
    assert "1234567890" in sms_outbox[0].text


def test_tracking_number_on_an_unpaid_order_is_refused(staff, django_capture_on_commit_callbacks, sms_outbox):
    order = OrderFactory(status=OrderStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(change_url(order), change_data(order, tracking_number="RU123"), follow=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.tracking_number == ""
    assert any("нельзя" in text for text in texts(response))
    assert sms_outbox == []


# --- Refund -------------------------------------------------------------------------------------------------------------
def paid_through_yookassa(fake):
    order = order_with_item(total_amount=Decimal("2490.00"))
    order_services.order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    fake.set_status(order.payment_id, "succeeded")
    order_services.order_mark_paid(order=order, payment_id=order.payment_id)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def test_refund_action_opens_the_confirmation_screen_of_one_order(staff, fake_yookassa):
    order = paid_through_yookassa(fake_yookassa)
    unpaid = OrderFactory()
    response = act(staff, "refund", [order, unpaid])
    assert any("Выберите один заказ" in text for text in texts(response))
    response = staff.post(CHANGELIST, {"action": "refund", "_selected_action": [order.pk]})
    url = reverse("admin:orders_order_refund", args=[order.pk])
    assert response.status_code == 302 and response["Location"] == url
    preview = staff.post(url, {"full": "1"}).content.decode()
    assert "Да, вернуть" in preview
    assert fake_yookassa.api_requests("POST", "/refunds") == []  # nothing before the confirmation
    token = preview.split('name="refund_token" value="')[1].split('"')[0]
    staff.post(url, {"full": "1", "confirm": "1", "refund_token": token})
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.payment_status == PaymentStatus.REFUNDED
    assert [r.body["payment_id"] for r in fake_yookassa.api_requests("POST", "/refunds")] == [order.payment_id]
    unpaid_screen = staff.post(reverse("admin:orders_order_refund", args=[unpaid.pk]), {"full": "1"})
    assert "Вернуть деньги можно только за оплаченный заказ" in unpaid_screen.content.decode()


def test_the_order_page_has_a_refund_button_while_money_is_held(staff, fake_yookassa):
    order = paid_through_yookassa(fake_yookassa)
    page = staff.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert f'href="{reverse("admin:orders_order_refund", args=[order.pk])}"' in page and "Вернуть деньги" in page
    unpaid = OrderFactory()
    page = staff.get(reverse("admin:orders_order_change", args=[unpaid.pk])).content.decode()
    assert "Вернуть деньги" not in page
    # A bad or empty choice is refused before any plan.
    [item] = order.items.all()
    url = reverse("admin:orders_order_refund", args=[order.pk])
    assert "целое число от 0" in staff.post(url, {f"quantity_{item.pk}": "x"}).content.decode()
    assert "Укажите, сколько единиц вернуть" in staff.post(url, {}).content.decode()


# --- CSV ----------------------------------------------------------------------------------------------------------------
def read_csv(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_csv_of_the_filtered_list(staff):
    product = ProductFactory(name="Худи", article="H-1")
    paid = OrderFactory(
        status=OrderStatus.PAID,
        total_amount=Decimal("4980.00"),
        discount_amount=Decimal("498.00"),
        promo_code=PromoCodeFactory(code="SALE10"),
        user=UserFactory(phone="+79161234567", full_name="Анна Петрова"),
        delivery_address="Москва; Тверская, 1",
    )
    OrderItemFactory(order=paid, product=product, size="M", quantity=2, price=Decimal("2490.00"))
    OrderFactory(status=OrderStatus.PENDING)
    response = staff.get(EXPORT, {"status__exact": "paid"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["Номер заказа", "Дата", "Статус"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Номер заказа"] == paid.order_number
    assert row["Статус"] == "Оплачен" and row["Телефон"] == "+79161234567"
    assert row["Покупатель"] == "Анна Петрова"
    assert (row["Сумма, ₽"], row["Скидка, ₽"], row["К оплате, ₽"]) == ("4980,00", "498,00", "4482,00")
    assert row["Промокод"] == "SALE10" and row["Адрес доставки"] == "Москва; Тверская, 1"
    assert row["Позиции"] == "Худи (H-1) M × 2"


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://evil.example","x")', "+1+cmd", "-2+3", "@SUM(A1)"])
def test_csv_writes_typed_text_never_as_a_formula(staff, typed):
    order = OrderFactory(
        status=OrderStatus.PAID,
        user=UserFactory(phone="+79161234567", full_name=typed),
        delivery_address=typed,
        cdek_point=typed,
    )
    OrderItemFactory(order=order, product=ProductFactory(name=typed))
    rows = read_csv(staff.get(EXPORT))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Покупатель"] == row["Адрес доставки"] == row["Пункт СДЭК"] == f"'{typed}"
    assert row["Позиции"].startswith("'")
    assert row["Телефон"] == "+79161234567"


def test_csv_follows_the_search(staff):
    wanted = OrderFactory(user=UserFactory(phone="+79165550011"))
    OrderFactory()
    rows = read_csv(staff.get(EXPORT, {"q": "8 916 555 00 11"}))
    assert [row[0] for row in rows[1:]] == [wanted.order_number]


def test_csv_action_exports_the_selected_orders(staff):
    first, second, _ = OrderFactory(), OrderFactory(), OrderFactory()
    response = staff.post(CHANGELIST, {"action": "export_csv", "_selected_action": [first.pk, second.pk]})
    assert sorted(row[0] for row in read_csv(response)[1:]) == sorted([first.order_number, second.order_number])


def test_changelist_links_the_csv_of_the_current_filter(staff):
    html = staff.get(CHANGELIST, {"status__exact": "paid"}).content.decode()
    assert f'href="{EXPORT}?status__exact=paid"' in html


def test_csv_query_count_does_not_grow(staff):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            staff.get(EXPORT)
        return len(ctx.captured_queries)

    order_with_item()
    few = queries()
    for _ in range(10):
        order_with_item(promo_code=PromoCodeFactory())
    assert queries() == few


# --- Add: an order placed for a customer ----------------------------------------------------------------------------
def test_staff_place_an_order_for_a_customer(staff):
    customer = UserFactory()
    product = ProductFactory(stock={"M": 3}, price=Decimal("1000.00"))
    response = staff.post(
        reverse("admin:orders_order_add"),
        {
            "user": customer.pk,
            "product": product.pk,
            "size": "M",
            "quantity": 2,
            "promo_code": "",
            "delivery_address": "Казань",
            "cdek_point": "",
        },
    )
    assert response.status_code == 302
    order = Order.objects.get(user=customer)
    assert order.total_amount == Decimal("2000.00") and order.delivery_address == "Казань"
    assert product.stock.get(size="M").quantity == 1


def test_placing_more_than_in_stock_is_refused(staff):
    customer = UserFactory()
    product = ProductFactory(stock={"M": 1})
    response = staff.post(
        reverse("admin:orders_order_add"),
        {
            "user": customer.pk,
            "product": product.pk,
            "size": "M",
            "quantity": 5,
            "promo_code": "",
            "delivery_address": "",
            "cdek_point": "",
        },
        follow=True,
    )
    assert not Order.objects.filter(user=customer).exists()
    assert any("Заказ не оформлен" in text for text in texts(response))
