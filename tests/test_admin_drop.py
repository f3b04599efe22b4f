"""A drop run from the admin alone: create the product, watch waves fill, move a wave, ship, refund, read figures."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.models import Product
from orders.models import Order, OrderStatus
from orders.services import order_mark_paid, order_place
from preorders.models import PreorderStatus, WaitlistEntry, WaveStatus
from preorders.services import waitlist_join

pytestmark = pytest.mark.django_db


def test_a_drop_from_the_admin(client, fake_yookassa, django_capture_on_commit_callbacks, sms_outbox):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    # 1. The product: two waves of three units.
    response = client.post(
        reverse("admin:catalog_product_add"),
        {
            "name": "Пуховик «Дроп»",
            "slug": "",
            "article": "DROP-1",
            "price": "10000.00",
            "order_type": "preorder",
            "is_active": "on",
            "description": "",
            "care_instructions": "",
            "sizes": '["M", "L"]',
            "size_table": "[]",
            "preorder_waves_total": "2",
            "preorder_wave_capacity": "3",
            "media-TOTAL_FORMS": "0",
            "media-INITIAL_FORMS": "0",
            "stock-TOTAL_FORMS": "0",
            "stock-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    drop = Product.objects.get(article="DROP-1")

    # 2. Customers preorder and pay; the second line splits over both waves, the third fills the drop.
    buyers = [UserFactory(phone=f"+7916000000{n}") for n in range(1, 4)]
    orders = []
    for buyer in buyers:
        with django_capture_on_commit_callbacks(execute=True):
            order = order_place(
                delivery_address="Москва, ул. Тверская, 1",
                user=buyer,
                items=[{"product": drop, "size": "M", "quantity": 2}],
            )
        order.refresh_from_db()
        fake_yookassa.set_status(order.payment_id, "succeeded")
        order_mark_paid(order=order, payment_id=order.payment_id)
        orders.append(order)
    drop.refresh_from_db()
    assert drop.order_type == Product.OrderType.WAITING
    assert "3/3 · волна 2 из 2" in client.get(reverse("admin:catalog_product_changelist")).content.decode()
    waitlist_join(product=drop, phone="+79160000009")

    # 3. A new wave reopens the drop and the waitlist hears about it.
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:catalog_product_changelist"), {"action": "add_wave", "_selected_action": [drop.pk]}
        )
    drop.refresh_from_db()
    assert drop.order_type == Product.OrderType.PREORDER and drop.waves.count() == 3
    assert [m.phone for m in sms_outbox] == ["+79160000009"]
    assert WaitlistEntry.objects.get().notified_at is not None

    # 4. Wave 1 goes to production: staff confirm knowing two customers are texted, and they are told.
    wave_1 = drop.waves.get(wave_number=1)
    sms_outbox.clear()
    move = {"action": "wave_set_status_production", "_selected_action": [wave_1.pk]}
    waves = reverse("admin:preorders_preorderwave_changelist")
    assert "SMS получат 2 покупателя" in client.post(waves, move).content.decode() and sms_outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(waves, {**move, "confirmed": "yes"})
    assert sorted(m.phone for m in sms_outbox) == ["+79160000001", "+79160000002"]
    assert set(PreorderStatus.objects.filter(status=WaveStatus.PRODUCTION).values_list("order", flat=True)) == {
        orders[0].pk,
        orders[1].pk,
    }

    # 5. The first order ships with a tracking number.
    sms_outbox.clear()
    first = orders[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:orders_order_change", args=[first.pk]),
            {
                "tracking_number": "CDEK-777",
                "delivery_address": "",
                "cdek_point": "",
                "new_status": "",
                "items-TOTAL_FORMS": "0",
                "items-INITIAL_FORMS": "0",
                "preorder_statuses-TOTAL_FORMS": "0",
                "preorder_statuses-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == OrderStatus.SHIPPED and [m.phone for m in sms_outbox] == ["+79160000001"]

    # 6. The third customer changed their mind: refund, after the confirmation of what and how much.
    screen = client.post(
        reverse("admin:orders_order_changelist"), {"action": "refund", "_selected_action": [orders[2].pk]}
    )
    refund_url = reverse("admin:orders_order_refund", args=[orders[2].pk])
    assert screen["Location"] == refund_url
    preview = client.post(refund_url, {"full": "1"}).content.decode()
    assert "Да, вернуть" in preview
    token = preview.split('name="refund_token" value="')[1].split('"')[0]
    client.post(refund_url, {"full": "1", "confirm": "1", "refund_token": token})
    assert Order.objects.get(pk=orders[2].pk).status == OrderStatus.REFUNDED

    # 7. The figures: two orders of 20 000 ₽ count, the refunded one does not.
    summary = client.get(reverse("analytics:dashboard")).context["summary"]
    assert summary["revenue"] == Decimal("40000.00")
    assert (summary["orders_count"], summary["paid_orders_count"]) == (3, 2)
    [fill] = summary["preorder_waves"]
    # The refunded order had not shipped: its two units went back to their wave, which takes orders again.
    assert (fill["ordered"], fill["capacity"], fill["current_wave"]) == (4, 9, 2)
