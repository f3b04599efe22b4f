"""Waves, timelines and the waitlist in the admin: status actions, adding waves, telling the waitlist."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory, OrderItemFactory
from preorders.models import PreorderStatus, PreorderWave, WaitlistEntry, WaveStatus
from preorders.tests.factories import PreorderProductFactory, PreorderStatusFactory, WaitlistEntryFactory
from tests.admin_helpers import texts

pytestmark = pytest.mark.django_db

WAVES = reverse("admin:preorders_preorderwave_changelist")
WAVE_ADD = reverse("admin:preorders_preorderwave_add")
WAITLIST = reverse("admin:preorders_waitlistentry_changelist")


def customer_of(wave, phone):
    order = OrderFactory(status=OrderStatus.PAID, user=UserFactory(phone=phone))
    OrderItemFactory(order=order, product=wave.product, is_preorder=True, preorder_wave=wave)
    return order


def test_wave_list_shows_fill_and_status(staff):
    product = PreorderProductFactory(name="Бомбер", preorder_wave_capacity=20)
    product.waves.filter(wave_number=1).update(current_count=14)
    html = staff.get(WAVES).content.decode()
    assert "Бомбер" in html and "14/20" in html and "Сбор заказов" in html


def test_status_action_moves_each_wave_and_tells_customers(staff, django_capture_on_commit_callbacks, sms_outbox):
    product = PreorderProductFactory(preorder_waves_total=2)
    first, second = product.waves.order_by("wave_number")
    order = customer_of(first, "+79991230001")
    customer_of(second, "+79991230002")
    chosen = {"action": "wave_set_status_production", "_selected_action": [first.pk, second.pk]}
    confirmation = staff.post(WAVES, chosen).content.decode()
    assert "SMS получат 2 покупателя" in confirmation and "Да, перевести" in confirmation
    assert set(PreorderWave.objects.values_list("status", flat=True)) == {WaveStatus.COLLECTING}
    assert sms_outbox == []  # nothing before the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(WAVES, {**chosen, "confirmed": "yes"}, follow=True)
    assert set(PreorderWave.objects.values_list("status", flat=True)) == {WaveStatus.PRODUCTION}
    assert PreorderStatus.objects.get(order=order).status == WaveStatus.PRODUCTION
    assert sorted(m.phone for m in sms_outbox) == ["+79991230001", "+79991230002"]
    assert any("В производстве" in text and "2" in text for text in texts(response))


def test_status_action_refuses_going_back(staff, sms_outbox):
    product = PreorderProductFactory(preorder_waves_total=1)
    wave = product.waves.get()
    PreorderWave.objects.filter(pk=wave.pk).update(status=WaveStatus.COMPLETED)
    customer_of(wave, "+79991230003")
    response = staff.post(
        WAVES,
        {"action": "wave_set_status_shipping", "_selected_action": [wave.pk], "confirmed": "yes"},
        follow=True,
    )
    assert PreorderWave.objects.get(pk=wave.pk).status == WaveStatus.COMPLETED
    assert not PreorderStatus.objects.exists() and sms_outbox == []
    assert any("только вперёд" in text for text in texts(response))


def test_one_action_per_forward_status(staff):
    actions = [name for name, _ in staff.get(WAVES).context["action_form"].fields["action"].choices]
    for status in ["production", "shipping", "completed"]:
        assert f"wave_set_status_{status}" in actions
    assert "wave_set_status_collecting" not in actions and "delete_selected" not in actions


def test_wave_change_page_sets_status_with_a_message(staff, django_capture_on_commit_callbacks, sms_outbox):
    wave = PreorderProductFactory().waves.get(wave_number=1)
    order = customer_of(wave, "+79991230004")
    url = reverse("admin:preorders_preorderwave_change", args=[wave.pk])
    assert staff.get(url).status_code == 200
    change = {"capacity": wave.capacity, "status": "shipping", "status_message": "Едет к вам СДЭКом."}
    unconfirmed = staff.post(url, change)
    assert unconfirmed.status_code == 200 and "SMS получит 1 покупатель" in unconfirmed.content.decode()
    assert PreorderWave.objects.get(pk=wave.pk).status == WaveStatus.COLLECTING and sms_outbox == []
    assert texts(unconfirmed) == []  # the refusal is the page's only word
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, {**change, "confirm_sms": "on"})
    assert response.status_code == 302
    assert PreorderStatus.objects.get(order=order).status_message == "Едет к вам СДЭКом."
    assert "Едет к вам СДЭКом." in sms_outbox[0].text


def test_wave_change_page_refuses_going_back(staff):
    wave = PreorderProductFactory().waves.get(wave_number=1)
    PreorderWave.objects.filter(pk=wave.pk).update(status=WaveStatus.SHIPPING)
    url = reverse("admin:preorders_preorderwave_change", args=[wave.pk])
    response = staff.post(url, {"capacity": wave.capacity, "status": "production", "status_message": ""})
    assert response.status_code == 200
    assert PreorderWave.objects.get(pk=wave.pk).status == WaveStatus.SHIPPING


def test_adding_a_wave_reopens_a_waiting_product(staff, django_capture_on_commit_callbacks, sms_outbox):
    product = PreorderProductFactory(
        order_type=Product.OrderType.WAITING, preorder_waves_total=1, preorder_wave_capacity=3
    )
    product.waves.update(current_count=3)
    WaitlistEntryFactory(product=product, phone="+79991230005")
    assert staff.get(WAVE_ADD).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            WAVE_ADD, {"product": product.pk, "capacity": "7", "ships_on": "2027-03-01", "status": "collecting"}
        )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.PREORDER
    assert list(product.waves.values_list("wave_number", "capacity")) == [(1, 3), (2, 7)]
    assert str(product.waves.get(wave_number=2).ships_on) == "2027-03-01"
    assert [m.phone for m in sms_outbox] == ["+79991230005"]


def test_adding_a_wave_to_an_in_stock_product_is_refused(staff):
    product = ProductFactory(name="Футболка в наличии")
    PreorderProductFactory(name="Бомбер на предзаказ")
    form = staff.get(WAVE_ADD).content.decode()
    assert "Бомбер на предзаказ" in form and "Футболка в наличии" not in form  # only preorder products offered
    assert 'name="ships_on"' in form and 'name="status"' in form  # complete at creation
    count = PreorderWave.objects.count()
    response = staff.post(WAVE_ADD, {"product": product.pk, "capacity": "", "status": "collecting"})
    assert response.status_code == 200 and PreorderWave.objects.count() == count


def test_waves_are_never_deleted(staff):
    wave = PreorderProductFactory().waves.first()
    assert staff.get(reverse("admin:preorders_preorderwave_delete", args=[wave.pk])).status_code == 403


def test_waitlist_action_tells_each_phone_once(staff, django_capture_on_commit_callbacks, sms_outbox):
    product = PreorderProductFactory()
    entry = WaitlistEntryFactory(product=product, phone="+79991230006")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(WAITLIST, {"action": "notify", "_selected_action": [entry.pk]})
        staff.post(WAITLIST, {"action": "notify", "_selected_action": [entry.pk]})
    assert [m.phone for m in sms_outbox] == ["+79991230006"]
    assert WaitlistEntry.objects.get().notified_at is not None


def test_waitlist_of_a_waiting_product_is_not_told_yet(staff, sms_outbox):
    entry = WaitlistEntryFactory()
    response = staff.post(WAITLIST, {"action": "notify", "_selected_action": [entry.pk]}, follow=True)
    assert WaitlistEntry.objects.get().notified_at is None
    assert any("закрыт" in text for text in texts(response))


def test_change_pages_open(staff):
    status = PreorderStatusFactory()
    entry = WaitlistEntryFactory()
    for url in [
        reverse("admin:preorders_preorderstatus_change", args=[status.pk]),
        reverse("admin:preorders_waitlistentry_change", args=[entry.pk]),
        reverse("admin:preorders_preorderwave_change", args=[status.wave.pk]),
    ]:
        assert staff.get(url).status_code == 200, url


def test_customers_are_sent_to_login(client):
    wave = PreorderProductFactory().waves.first()
    client.force_login(UserFactory())
    response = client.get(reverse("admin:preorders_preorderwave_change", args=[wave.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
