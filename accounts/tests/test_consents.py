"""Consent to the processing of personal data (152-FZ): asked by registration, the first sign-in by code and the
checkout of a customer with none on record; refused without it (400 `consent_required`), recorded with it."""

import csv
import hashlib
import io
import re

import pytest

from accounts.consents import ConsentRequired, consent_withdraw
from accounts.models import Consent, ConsentSource, User
from accounts.tests.factories import UserFactory
from conftest import client_for
from pages.models import Page

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
SEND_URL = "/api/v1/auth/sms/"
VERIFY_URL = "/api/v1/auth/sms/verify/"
POLICY = "## Политика\n\nТелефон — для заказов."


@pytest.fixture
def policy(db):
    return Page.objects.create(slug="privacy", title="Политика обработки персональных данных", content=POLICY)


def test_api_registration_without_consent_is_refused_and_creates_nothing(api_client, policy):
    for body in ({}, {"personal_data_consent": False}):
        response = api_client.post(
            REGISTER, {"phone": "+79165551234", "password": "secret1", **body}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "consent_required"
    assert not User.objects.exists()
    assert not Consent.objects.exists()


def test_api_registration_with_consent_records_the_act(api_client, policy):
    response = api_client.post(
        REGISTER,
        {"phone": "8 916 555-12-34", "password": "secret1", "personal_data_consent": True},
        format="json",
        HTTP_USER_AGENT="DWC-App/2.1 (iPhone)",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 201
    consent = Consent.objects.get()
    assert consent.user.phone == consent.phone == "+79165551234"
    assert (consent.source, consent.channel) == (ConsentSource.REGISTER, "api")
    assert (consent.ip_address, consent.user_agent) == ("203.0.113.7", "DWC-App/2.1 (iPhone)")
    assert (consent.policy_slug, consent.policy_version) == ("privacy", 1)
    text = f"{policy.title}\n{policy.content}"
    assert consent.policy_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert consent.created_at is not None and consent.withdrawn_at is None


def test_a_consent_names_the_edition_of_the_policy_it_accepted(api_client, policy):
    policy.content += "\n\nНовый пункт."
    policy.save()
    policy.save()  # saving the same text again is the same edition
    assert Page.objects.get(pk=policy.pk).revision == 2
    body = {"phone": "+79165551234", "password": "secret1", "personal_data_consent": True}
    assert api_client.post(REGISTER, body, format="json").status_code == 201
    assert Consent.objects.get().policy_version == 2


def test_storefront_registration_asks_with_an_unticked_box_and_records(client, policy):
    page = client.get("/register/").content.decode()
    box = re.search(r'<input type="checkbox" name="personal_data_consent"[^>]*>', page).group(0)
    assert "checked" not in box
    assert 'href="/pages/privacy/"' in page

    data = {"phone": "+79165551234", "password": "secret1", "full_name": "Анна"}
    response = client.post("/register/", data)
    assert response.status_code == 200
    assert ConsentRequired.default_message in response.content.decode()  # the refusal, beside the checkbox
    assert not User.objects.exists()

    response = client.post("/register/", {**data, "personal_data_consent": "on"}, HTTP_USER_AGENT="Firefox")
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.source, consent.channel, consent.user_agent) == (ConsentSource.REGISTER, "web", "Firefox")


def _code(api_client, sms_outbox, django_capture_on_commit_callbacks, phone):
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(SEND_URL, {"phone": phone}, format="json").status_code == 202
    return re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)


def test_sms_sign_in_of_a_new_phone_needs_consent_and_keeps_the_code(
    api_client, sms_outbox, django_capture_on_commit_callbacks, policy
):
    code = _code(api_client, sms_outbox, django_capture_on_commit_callbacks, "+79165550000")
    refused = api_client.post(VERIFY_URL, {"phone": "+79165550000", "code": code}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "consent_required"
    assert not User.objects.exists()

    # The same code, now with the consent: the account is created and the act recorded.
    body = {"phone": "+79165550000", "code": code, "personal_data_consent": True}
    response = api_client.post(VERIFY_URL, body, format="json")
    assert response.status_code == 200
    assert response.json()["created"] is True
    assert Consent.objects.get().source == ConsentSource.SMS_SIGN_IN


def test_sms_sign_in_of_a_wrong_code_says_so_before_anything_about_consent(
    api_client, sms_outbox, django_capture_on_commit_callbacks
):
    """Whether a phone has an account is told only to whoever holds its code."""
    code = _code(api_client, sms_outbox, django_capture_on_commit_callbacks, "+79165550000")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = api_client.post(VERIFY_URL, {"phone": "+79165550000", "code": wrong}, format="json")
    assert response.json()["code"] == "sms_code_invalid"


def test_sms_sign_in_of_an_existing_customer_needs_no_consent(
    api_client, sms_outbox, django_capture_on_commit_callbacks
):
    user = UserFactory(consented=False)
    code = _code(api_client, sms_outbox, django_capture_on_commit_callbacks, user.phone)
    response = api_client.post(VERIFY_URL, {"phone": user.phone, "code": code}, format="json")
    assert response.status_code == 200
    assert not Consent.objects.exists()


def test_checkout_on_the_api_asks_a_customer_with_no_consent_on_record(policy):
    from catalog.tests.factories import ProductFactory

    product = ProductFactory(stock={"M": 5})
    user = UserFactory(consented=False)
    api = client_for(user)
    order = {
        "items": [{"product": product.pk, "size": "M", "quantity": 1}],
        "delivery_address": "Москва, ул. Тверская, 1",
    }
    refused = api.post("/api/v1/orders/", order, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "consent_required"
    assert not user.orders.exists()

    placed = api.post("/api/v1/orders/", {**order, "personal_data_consent": True}, format="json")
    assert placed.status_code == 201
    assert Consent.objects.get(user=user).source == ConsentSource.CHECKOUT
    # On record now: the next order is not asked again, and records nothing more.
    assert api.post("/api/v1/orders/", order, format="json").status_code == 201
    assert Consent.objects.filter(user=user).count() == 1


def test_a_withdrawn_consent_is_kept_with_its_date_and_asked_again(policy):
    user = UserFactory()
    assert consent_withdraw(user=user) == 1
    consent = Consent.objects.get(user=user)
    assert consent.withdrawn_at is not None
    from accounts.consents import consent_on_record

    assert not consent_on_record(user=user)


def test_admin_lists_consents_and_exports_them_as_csv(staff, policy):
    user = UserFactory(phone="+79160001122")
    listing = staff.get("/admin/accounts/consent/")
    assert listing.status_code == 200
    assert "+79160001122" in listing.content.decode()
    Consent.objects.filter(user=user).update(user_agent='=HYPERLINK("http://evil.example","x")')
    ids = [str(pk) for pk in Consent.objects.filter(user=user).values_list("pk", flat=True)]
    response = staff.post(
        "/admin/accounts/consent/", {"action": "export_csv", "_selected_action": ids}, follow=False
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["id", "created_at", "user_id", "phone"]
    assert rows[1][2:4] == [str(user.pk), "+79160001122"]
    assert rows[1][rows[0].index("user_agent")] == '\'=HYPERLINK("http://evil.example","x")'  # inert in Excel
    assert staff.get(f"/admin/accounts/consent/{ids[0]}/change/").status_code == 200  # read-only view


def test_a_password_reset_that_creates_the_account_needs_consent_too(
    api_client, sms_outbox, django_capture_on_commit_callbacks, policy
):
    code = _code(api_client, sms_outbox, django_capture_on_commit_callbacks, "+79165550000")
    body = {"phone": "+79165550000", "code": code, "password": "новый-пароль-1"}
    refused = api_client.post("/api/v1/auth/password/reset/", body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "consent_required"
    assert not User.objects.exists()
    done = api_client.post("/api/v1/auth/password/reset/", {**body, "personal_data_consent": True}, format="json")
    assert done.status_code == 200
    assert Consent.objects.get().user.phone == "+79165550000"
