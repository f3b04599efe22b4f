"""Users in the admin: the phone is the login, typed any way, stored as +7…."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_add_a_user_with_a_phone_typed_the_russian_way(staff):
    response = staff.post(
        reverse("admin:accounts_user_add"),
        {"phone": "8 (916) 123-45-67", "full_name": "Анна", "password1": "Secret-123", "password2": "Secret-123"},
    )
    assert response.status_code == 302
    user = User.objects.get(phone="+79161234567")
    assert user.full_name == "Анна" and user.check_password("Secret-123")


def test_a_phone_already_taken_is_refused(staff):
    UserFactory(phone="+79161234567")
    response = staff.post(
        reverse("admin:accounts_user_add"),
        {"phone": "+7 916 123 45 67", "password1": "Secret-123", "password2": "Secret-123"},
    )
    assert response.status_code == 200 and User.objects.filter(phone="+79161234567").count() == 1


def test_change_page_and_order_count(staff):
    customer = UserFactory(phone="+79160000001")
    OrderFactory(user=customer)
    OrderFactory(user=customer)
    assert staff.get(reverse("admin:accounts_user_change", args=[customer.pk])).status_code == 200
    result = staff.get(reverse("admin:accounts_user_changelist"), {"q": "+79160000001"}).context["cl"].result_list
    assert [(u.phone, u.orders_total) for u in result] == [("+79160000001", 2)]


def test_edit_keeps_the_password(staff):
    customer = UserFactory(phone="+79160000002")
    response = staff.post(
        reverse("admin:accounts_user_change", args=[customer.pk]),
        {
            "phone": "+79160000002",
            "full_name": "Пётр",
            "email": "",
            "address": "",
            "cdek_point": "",
            "telegram": "",
            "vk": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.full_name == "Пётр" and customer.check_password("secret-pass-123")
