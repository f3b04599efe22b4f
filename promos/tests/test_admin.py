"""Promo codes in the admin: uses and validity in the list, the form's checks, generating codes from a template."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from promos.models import PromoCode
from promos.tests.factories import PromoCodeFactory
from tests.admin_helpers import texts

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:promos_promocode_changelist")
ADD = reverse("admin:promos_promocode_add")
MSK = ZoneInfo("Europe/Moscow")


def test_list_shows_uses_discount_and_validity(staff):
    PromoCodeFactory(code="LIMITED", current_uses=3, max_uses=10)
    PromoCodeFactory(
        code="FOREVER", current_uses=3, max_uses=None, discount_percent=None, discount_amount=Decimal("500")
    )
    PromoCodeFactory(
        code="NOVEMBER",
        valid_from=datetime(2026, 11, 1, tzinfo=MSK),
        valid_until=datetime(2026, 12, 1, tzinfo=MSK),
    )
    html = staff.get(CHANGELIST).content.decode()
    assert "3 / 10" in html and "3 / ∞" in html
    assert "10\u00a0%" in html and ">500 ₽<" in html  # one money format, kept on one line
    assert "с 1 ноября 2026, 00:00 до 1 декабря 2026, 00:00" in html and "бессрочно" in html


def test_validity_filter(staff):
    expired = PromoCodeFactory(valid_until=datetime(2020, 1, 1, tzinfo=MSK))
    future = PromoCodeFactory(valid_from=datetime(2099, 1, 1, tzinfo=MSK))
    current = PromoCodeFactory()
    for value, wanted in [("expired", expired), ("future", future), ("current", current)]:
        assert list(staff.get(CHANGELIST, {"validity": value}).context["cl"].result_list) == [wanted]


def form(**fields):
    data = {
        "code": "new10",
        "description": "",
        "discount_percent": "10",
        "discount_amount": "",
        "max_uses": "",
        "valid_from_0": "",
        "valid_from_1": "",
        "valid_until_0": "",
        "valid_until_1": "",
        "is_active": "on",
    }
    data.update(fields)
    return data


def test_add_a_code_stored_upper_case(staff):
    response = staff.post(ADD, form())
    assert response.status_code == 302
    assert PromoCode.objects.get().code == "NEW10"


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"discount_percent": "10", "discount_amount": "100"}, "что-то одно"),
        ({"discount_percent": ""}, "что-то одно"),
        ({"discount_percent": "150"}, "от 1 до 100"),
        ({"code": "taken"}, "уже есть"),
        (
            {
                "valid_from_0": "10.11.2026",
                "valid_from_1": "00:00",
                "valid_until_0": "01.11.2026",
                "valid_until_1": "00:00",
            },
            "позже начала",
        ),
    ],
)
def test_form_refuses_in_words(staff, fields, error):
    PromoCodeFactory(code="TAKEN")
    response = staff.post(ADD, form(**fields))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert PromoCode.objects.count() == 1


def test_uses_are_read_only(staff):
    promo = PromoCodeFactory(code="SALE", current_uses=2, max_uses=5)
    url = reverse("admin:promos_promocode_change", args=[promo.pk])
    assert staff.get(url).status_code == 200
    staff.post(url, form(code="SALE", current_uses="0", max_uses="5"))
    assert PromoCode.objects.get(pk=promo.pk).current_uses == 2


def test_limit_cannot_go_below_uses(staff):
    promo = PromoCodeFactory(code="SALE", current_uses=4, max_uses=5)
    response = staff.post(
        reverse("admin:promos_promocode_change", args=[promo.pk]), form(code="SALE", max_uses="3")
    )
    assert response.status_code == 200 and PromoCode.objects.get(pk=promo.pk).max_uses == 5


def test_generate_asks_then_creates_unique_codes(staff):
    product = ProductFactory()
    template = PromoCodeFactory(
        code="DROPTEMPLATE",
        discount_percent=15,
        max_uses=1,
        current_uses=1,
        valid_until=datetime(2027, 1, 1, tzinfo=MSK),
        description="Дроп",
    )
    template.products.set([product])
    selected = {"action": "generate", "_selected_action": [template.pk]}

    page = staff.post(CHANGELIST, selected)
    assert page.status_code == 200
    assert "DROPTEMPLATE" in page.content.decode() and 'name="count"' in page.content.decode()
    assert PromoCode.objects.count() == 1

    response = staff.post(CHANGELIST, {**selected, "apply": "1", "prefix": "drop7", "count": "25"})
    codes = PromoCode.objects.exclude(pk=template.pk)
    assert codes.count() == 25
    assert len({c.code.upper() for c in codes}) == 25
    for code in codes:
        assert code.code.startswith("DROP7-") and len(code.code) == len("DROP7-") + 8
        assert (code.discount_percent, code.max_uses, code.current_uses, code.description) == (15, 1, 0, "Дроп")
        assert code.valid_until == template.valid_until
        assert list(code.products.all()) == [product]
    # The new codes leave as a CSV file for Excel, one a row.
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Код;Скидка") and len(rows) == 26
    assert {row.split(";")[0] for row in rows[1:]} == {code.code for code in codes}


def test_generate_makes_single_use_codes_whatever_the_template_limit(staff):
    template = PromoCodeFactory(code="MANY", discount_percent=5, max_uses=None)
    selected = {"action": "generate", "_selected_action": [template.pk]}
    response = staff.post(
        CHANGELIST, {**selected, "apply": "1", "prefix": "one", "count": "3", "single_use": "on"}
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert list(PromoCode.objects.exclude(pk=template.pk).values_list("max_uses", flat=True)) == [1, 1, 1]
    # Unticked, the codes keep the template's limit.
    staff.post(CHANGELIST, {**selected, "apply": "1", "prefix": "many", "count": "2"})
    assert PromoCode.objects.filter(code__startswith="MANY-", max_uses__isnull=True).count() == 2


def test_selected_codes_download_as_csv(staff):
    PromoCodeFactory(code="AAA1", discount_amount=500, discount_percent=None, max_uses=1)
    PromoCodeFactory(code="BBB2", discount_percent=10)
    ids = list(PromoCode.objects.values_list("pk", flat=True))
    response = staff.post(CHANGELIST, {"action": "export_csv", "_selected_action": ids})
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[1:] == ["AAA1;500,00 ₽;1;0;;да", "BBB2;10 %;;0;;да"]


def test_generate_needs_exactly_one_template(staff):
    first, second = PromoCodeFactory(), PromoCodeFactory()
    response = staff.post(
        CHANGELIST, {"action": "generate", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assert PromoCode.objects.count() == 2
    assert any("один" in text for text in texts(response))


@pytest.mark.parametrize("fields", [{"count": "0"}, {"count": "100000"}, {"count": "5", "prefix": "скидка"}])
def test_generate_refuses_bad_input(staff, fields):
    template = PromoCodeFactory()
    response = staff.post(
        CHANGELIST, {"action": "generate", "_selected_action": [template.pk], "apply": "1", "prefix": "", **fields}
    )
    assert response.status_code == 200
    assert PromoCode.objects.count() == 1


def test_customers_are_sent_to_login(client):
    promo = PromoCodeFactory()
    client.force_login(UserFactory())
    response = client.get(reverse("admin:promos_promocode_change", args=[promo.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_add_a_restricted_code_and_change_its_products(staff):
    hoodie, tee = ProductFactory(), ProductFactory()
    assert staff.post(ADD, form(products=[hoodie.pk])).status_code == 302
    promo = PromoCode.objects.get()
    assert list(promo.products.all()) == [hoodie]
    url = reverse("admin:promos_promocode_change", args=[promo.pk])
    assert staff.post(url, form(code="new10", products=[tee.pk])).status_code == 302
    assert list(promo.products.all()) == [tee]


def test_a_code_that_looks_like_a_formula_goes_out_as_text(staff):
    promo = PromoCodeFactory(code="=CMD", discount_percent=5)
    response = staff.post(CHANGELIST, {"action": "export_csv", "_selected_action": [promo.pk]})
    assert response.content.decode("utf-8-sig").splitlines()[1].startswith("'=CMD;")
