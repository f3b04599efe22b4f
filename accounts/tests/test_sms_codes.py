"""Sign-in codes by SMS: `auth/sms/`, `auth/sms/verify/`, `auth/password/reset/` and their limits."""

import re
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import sms_limits
from accounts.models import SmsCode, User
from accounts.services import SmsCodeRejected, SmsCodeTriesExhausted, sms_code_send, sms_code_use
from accounts.tests.factories import PASSWORD, UserFactory

SEND_URL = "/api/v1/auth/sms/"
VERIFY_URL = "/api/v1/auth/sms/verify/"
RESET_URL = "/api/v1/auth/password/reset/"
LOGIN_URL = "/api/v1/auth/login/"
PHONE = "+79161234567"

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(api_client, sms_outbox, django_capture_on_commit_callbacks):
    """Ask for a code as a client would; the response, and the code texted (None when none was sent)."""

    def send(phone=PHONE, client=None, **extra):
        before = len(sms_outbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = (client or api_client).post(SEND_URL, {"phone": phone}, format="json", **extra)
        texts = [message.text for message in sms_outbox[before:]]
        code = re.search(r"\b(\d{6})\b", texts[-1]).group(1) if texts else None
        return response, code

    return send


@pytest.fixture
def quick_codes(monkeypatch):
    """No minute between codes, and a clock that stays in one hour, so the hourly counts are what is tested."""
    monkeypatch.setattr(sms_limits, "CODE_INTERVAL_SECONDS", 0)  # 0: the slot expires at once in every cache
    monkeypatch.setattr(sms_limits, "time", SimpleNamespace(time=lambda: 1_800_000_600.0))


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_code_is_texted_and_stored_hashed(send, sms_outbox):
    response, code = send("8 (916) 123-45-67")

    assert response.status_code == 202
    assert response.json() == {"resend_after": 60}
    assert sms_outbox[-1].phone == PHONE
    stored = SmsCode.objects.get(phone=PHONE)
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert timedelta(minutes=4) < stored.expires_at - timezone.now() <= timedelta(minutes=5)


def test_same_answer_with_or_without_an_account(send):
    UserFactory(phone="+79160000001")
    known, _ = send("+79160000001")
    unknown, _ = send("+79160000002")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())


def test_verify_signs_in_an_existing_customer(send, api_client):
    user = UserFactory(phone=PHONE, phone_verified=False)
    _, code = send()

    response = api_client.post(
        VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": code}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["created"] is False and body["user"]["id"] == user.pk and body["user"]["phone_verified"] is True
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.get("/api/v1/users/me/").json()["phone"] == PHONE
    user.refresh_from_db()
    assert user.phone_verified and user.check_password(PASSWORD)


def test_verify_registers_a_new_phone(send, api_client):
    _, code = send()
    response = api_client.post(
        VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": code}, format="json"
    )

    assert response.status_code == 200 and response.json()["created"] is True
    user = User.objects.get(phone=PHONE)
    assert user.phone_verified and not user.has_usable_password()


def test_a_code_works_once(send, api_client):
    _, code = send()
    assert (
        api_client.post(
            VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": code}, format="json"
        ).status_code
        == 200
    )
    again = api_client.post(
        VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": code}, format="json"
    )
    assert again.status_code == 400 and again.json()["code"] == "sms_code_expired"


def test_wrong_code_counts_down_and_the_sixth_try_is_refused(send, api_client):
    _, code = send()
    for tries_left in (4, 3, 2, 1):
        response = api_client.post(
            VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": wrong(code)}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "sms_code_invalid" and response.json()["tries_left"] == tries_left
    fifth = api_client.post(
        VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": wrong(code)}, format="json"
    )
    assert fifth.json()["code"] == "sms_code_attempts_exceeded"

    sixth = api_client.post(
        VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": code}, format="json"
    )

    assert sixth.status_code == 400 and sixth.json()["code"] == "sms_code_attempts_exceeded"
    assert SmsCode.objects.get(phone=PHONE).attempts == 5
    assert not User.objects.filter(phone=PHONE).exists()


def test_an_expired_code_is_refused(send, api_client):
    _, code = send()
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_client.post(
        VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": code}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "sms_code_expired"


def test_a_new_code_replaces_the_old_one(send, api_client, settings):
    settings.THROTTLE_ENABLED = False  # the minute between codes is another test's
    _, first = send()
    _, second = send()
    assert (
        api_client.post(
            VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": first}, format="json"
        ).status_code
        == 400
    )
    assert (
        api_client.post(
            VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": second}, format="json"
        ).status_code
        == 200
    )


def test_no_code_asked_for_is_refused(api_client):
    response = api_client.post(
        VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": "123456"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "sms_code_expired"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (SEND_URL, {}, "phone"),
        (SEND_URL, {"phone": "12"}, "phone"),
        (VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": "12a456"}, "code"),
        (VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": "1234567"}, "code"),
        (VERIFY_URL, {"phone": "nope", "code": "123456"}, "phone"),
        (RESET_URL, {"phone": PHONE, "code": "123456", "password": "12345"}, "password"),
    ],
)
def test_malformed_requests_are_400_with_the_field(api_client, url, body, field):
    response = api_client.post(url, body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_second_request_within_a_minute_is_429_and_sends_nothing(send, sms_outbox):
    send()
    response, code = send()
    assert response.status_code == 429
    assert response.json()["code"] == "sms_too_soon"
    assert 1 <= response.json()["retry_after"] <= 60 and response["Retry-After"]
    assert code is None and len(sms_outbox) == 1


def test_five_codes_an_hour_per_phone(send, quick_codes):
    answers = [send()[0].status_code for _ in range(6)]
    assert answers == [202] * 5 + [429]


def test_twenty_codes_an_hour_per_address(send, quick_codes):
    answers = [send(f"+7916000{n:04d}")[0].status_code for n in range(21)]
    assert answers == [202] * 20 + [429]
    other_address = send("+79160009999", REMOTE_ADDR="10.0.0.2")[0]
    assert other_address.status_code == 202


def test_daily_budget_of_the_whole_shop(send, settings):
    settings.SMS_DAILY_LIMIT = 2
    assert send("+79160000001")[0].status_code == 202
    assert send("+79160000002", REMOTE_ADDR="10.0.0.2")[0].status_code == 202
    response, code = send("+79160000003", REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 429 and response.json()["code"] == "sms_daily_limit" and code is None


def test_failed_passwords_do_not_block_signing_in_by_code(send, api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth_ip": "3/min", "auth_phone": "3/min"},
    }
    UserFactory(phone=PHONE)
    stranger = APIClient(REMOTE_ADDR="10.9.9.9")
    statuses = [
        stranger.post(LOGIN_URL, {"phone": PHONE, "password": "guess"}, format="json").status_code
        for _ in range(5)
    ]
    assert statuses[-1] == 429  # the password login is locked for this phone

    _, code = send()
    response = api_client.post(
        VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": code}, format="json"
    )
    assert response.status_code == 200


def test_password_reset_by_code(send, api_client):
    user = UserFactory(phone=PHONE, phone_verified=False)
    old_refresh = api_client.post(LOGIN_URL, {"phone": PHONE, "password": PASSWORD}, format="json").json()[
        "refresh"
    ]
    _, code = send()

    response = api_client.post(
        RESET_URL, {"phone": PHONE, "code": code, "password": "new-secret-1"}, format="json"
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("new-secret-1") and user.phone_verified
    assert (
        api_client.post(LOGIN_URL, {"phone": PHONE, "password": "new-secret-1"}, format="json").status_code == 200
    )
    assert api_client.post("/api/v1/auth/refresh/", {"refresh": old_refresh}, format="json").status_code == 401


def test_a_short_password_does_not_spend_the_code(send, api_client):
    UserFactory(phone=PHONE)
    _, code = send()
    bad = api_client.post(RESET_URL, {"phone": PHONE, "code": code, "password": "123"}, format="json")
    assert bad.status_code == 400 and "password" in bad.json()
    assert SmsCode.objects.get(phone=PHONE).attempts == 0
    good = api_client.post(RESET_URL, {"phone": PHONE, "code": code, "password": "long-enough"}, format="json")
    assert good.status_code == 200


def test_password_reset_with_a_wrong_code_changes_nothing(send, api_client):
    user = UserFactory(phone=PHONE)
    _, code = send()
    response = api_client.post(
        RESET_URL, {"phone": PHONE, "code": wrong(code), "password": "new-secret-1"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "sms_code_invalid"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_disabled_account_cannot_sign_in_by_code(send, api_client):
    UserFactory(phone=PHONE, is_active=False)
    _, code = send()
    response = api_client.post(
        VERIFY_URL, {"phone": PHONE, "personal_data_consent": True, "code": code}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "account_disabled"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_get_five_tries_in_all(settings):
    settings.THROTTLE_ENABLED = False
    sms_code_send(phone=PHONE)
    guesses = 12
    barrier = threading.Barrier(guesses)
    outcomes = []

    def guess(n):
        try:
            barrier.wait()
            sms_code_use(phone=PHONE, code=f"{n:06d}")  # the real code is one in a million: all wrong here
            outcomes.append("accepted")
        except SmsCodeTriesExhausted:
            outcomes.append("exhausted")
        except SmsCodeRejected:
            outcomes.append("wrong")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SmsCode.objects.get(phone=PHONE).attempts == 5
    assert outcomes.count("exhausted") >= guesses - 5
    assert "accepted" not in outcomes or SmsCode.objects.get(phone=PHONE).used_at is not None


# --- Floods and victims (the order of the limits) ----------------------------------------------------------------
def test_a_flood_from_many_addresses_never_stops_a_customer_or_an_order_notification(
    api_client, settings, sms_outbox, django_capture_on_commit_callbacks
):
    """540 code requests for unknown numbers from 27 addresses in 27 networks spend at most the anonymous part of
    the day's budget; a customer with an account still gets a code, and order news still goes out."""
    settings.SMS_DAILY_LIMIT, settings.SMS_DAILY_RESERVE_PERCENT = 500, 20
    customer = UserFactory(phone=PHONE)
    statuses = []
    for address in range(27):
        for n in range(20):
            response = api_client.post(
                SEND_URL, {"phone": f"+7916{address:03d}{n:04d}"}, format="json", REMOTE_ADDR=f"198.{address}.0.9"
            )
            statuses.append(response.status_code)
    assert len(statuses) == 540 and statuses.count(202) == 400 and SmsCode.objects.count() == 400
    assert statuses.count(429) == 140

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(SEND_URL, {"phone": PHONE}, format="json", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 202 and sms_outbox[-1].phone == PHONE

    from accounts.sms import sms_enqueue

    with django_capture_on_commit_callbacks(execute=True):
        sms_enqueue(phone=customer.phone, text="DWC: заказ DWC-2026-000001 оплачен.")
    assert sms_outbox[-1].text == "DWC: заказ DWC-2026-000001 оплачен."


def test_an_address_over_its_limit_cannot_lock_a_victim_out(send, quick_codes, sms_outbox):
    """The attacker spends its own allowance, then asks for the victim's number over and over: refused each
    time, and nothing is counted against the victim, who gets a code at once (and still five an hour)."""
    for n in range(20):
        send(f"+7916000{n:04d}", REMOTE_ADDR="198.51.100.7")
    before = len(sms_outbox)
    for _ in range(5):
        refused, _ = send(PHONE, REMOTE_ADDR="198.51.100.8")  # the same /24: the same allowance
        assert refused.status_code == 429 and refused.json()["code"] == "sms_limit"
    assert len(sms_outbox) == before
    answers = [send(PHONE, REMOTE_ADDR="203.0.113.5")[0].status_code for _ in range(6)]
    assert answers == [202] * 5 + [429]


def test_a_phone_in_its_minute_costs_the_address_nothing(send, settings):
    """Asking again too soon is refused before the address or the shop count it."""
    settings.SMS_DAILY_LIMIT, settings.SMS_DAILY_RESERVE_PERCENT = 2, 0
    send()
    for _ in range(5):
        assert send()[0].json()["code"] == "sms_too_soon"
    assert send("+79160000002")[0].status_code == 202  # the shop's second code of the day is still there


def test_addresses_count_by_network(send, quick_codes):
    for n in range(20):
        assert send(f"+7916000{n:04d}", REMOTE_ADDR=f"198.51.100.{n + 1}")[0].status_code == 202
    assert send("+79160009998", REMOTE_ADDR="198.51.100.250")[0].status_code == 429
    v6 = [send(f"+7916100{n:04d}", REMOTE_ADDR=f"2001:db8:0:1::{n + 1:x}")[0].status_code for n in range(21)]
    assert v6 == [202] * 20 + [429]
    assert send("+79160009997", REMOTE_ADDR="2001:db8:0:2::1")[0].status_code == 202


def test_an_address_network_sends_a_bounded_number_a_day(send, quick_codes, settings, monkeypatch):
    settings.SMS_ADDRESS_DAILY = 25
    statuses = []
    for hour in range(3):  # three hours of twenty: the day's cap stops it at 25
        monkeypatch.setattr(sms_limits, "time", SimpleNamespace(time=lambda h=hour: 1_800_000_600.0 + h * 3600))
        statuses += [send(f"+7916{hour:03d}{n:04d}")[0].status_code for n in range(20)]
    assert statuses.count(202) == 25
