import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import RequestFactory

from accounts import services
from accounts.consents import ConsentAct, ConsentRequired
from accounts.lockout import account_locked
from accounts.models import User
from accounts.services import (
    InvalidCredentials,
    PhoneTaken,
    TokenRejected,
    user_authenticate,
    user_register,
    user_register_or_sign_in,
    user_remember_delivery,
    user_tokens,
    user_tokens_refresh,
    user_update_profile,
)
from accounts.tests.factories import PASSWORD, UserFactory


@pytest.mark.django_db
def test_register_stores_the_e164_phone_and_a_hashed_password():
    user = user_register(phone="8 (916) 555-12-34", password="secret1", full_name="Анна")
    assert user.phone == "+79165551234"
    assert user.password != "secret1" and user.check_password("secret1")
    assert not user.is_staff and not user.is_superuser


@pytest.mark.django_db
def test_register_refuses_a_taken_phone_in_any_spelling():
    user_register(phone="+79165551234", password="secret1")
    with pytest.raises(PhoneTaken) as refusal:
        user_register(phone="8 916 555 12 34", password="secret2")
    assert refusal.value.code == "phone_taken"
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phone", "password", "field"), [("12", "secret1", "phone"), ("+79165551234", "123", "password")]
)
def test_register_refusals_name_the_field(phone, password, field):
    with pytest.raises(ValidationError) as refusal:
        user_register(phone=phone, password=password)
    assert field in refusal.value.message_dict
    assert not User.objects.exists()


@pytest.mark.django_db
def test_authenticate_by_any_spelling_and_records_the_login():
    user = UserFactory(phone="+79165551234")
    assert user_authenticate(phone="8-916-555-12-34", password=PASSWORD) == user
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phone", "password"), [("+79165551234", "nope"), ("+79990000000", PASSWORD), ("junk", PASSWORD)]
)
def test_authenticate_refuses_one_way_for_every_mismatch(phone, password):
    UserFactory(phone="+79165551234")
    with pytest.raises(InvalidCredentials) as refusal:
        user_authenticate(phone=phone, password=password)
    assert refusal.value.status == 401


@pytest.mark.django_db
def test_tokens_are_a_pair_for_the_user():
    user = UserFactory()
    tokens = user_tokens(user=user)
    assert set(tokens) == {"access", "refresh"} and tokens["access"] != tokens["refresh"]


@pytest.mark.django_db
def test_profile_update_touches_contact_fields_only():
    user = UserFactory(phone="+79165551234")
    user_update_profile(user=user, data={"full_name": "Пётр", "phone": "+79990000000", "is_staff": True})
    user.refresh_from_db()
    assert user.full_name == "Пётр"
    assert user.phone == "+79165551234" and not user.is_staff


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_number_at_once_make_one_account():
    barrier = threading.Barrier(2)
    outcomes = []

    def register(spelling):
        try:
            barrier.wait()
            user_register(phone=spelling, password="secret1")
            outcomes.append("created")
        except PhoneTaken:
            outcomes.append("taken")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(s,)) for s in ("+79165551234", "8 916 555 12 34")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "taken"]
    assert User.objects.filter(phone="+79165551234").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_refresh_token_used_twice_at_once_gives_one_new_pair():
    user = UserFactory()
    refresh = user_tokens(user=user)["refresh"]
    barrier = threading.Barrier(2)
    outcomes = []

    def use():
        try:
            barrier.wait()
            user_tokens_refresh(refresh=refresh)
            outcomes.append("pair")
        except TokenRejected:
            outcomes.append("rejected")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["pair", "rejected"]


@pytest.mark.django_db
def test_delivery_details_fill_only_an_empty_profile():
    user = UserFactory(address="", cdek_point="MSK1")
    user_remember_delivery(user=user, address="Москва, Тверская, 1", cdek_point="SPB2")
    user.refresh_from_db()
    assert (user.address, user.cdek_point) == ("Москва, Тверская, 1", "MSK1")


@pytest.mark.django_db
def test_registering_a_taken_phone_signs_its_owner_in_and_counts_a_wrong_password_as_a_failure(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    owner = UserFactory(phone="+79165551234")

    def register(phone, password):
        request = RequestFactory().post("/register/", REMOTE_ADDR="10.0.0.1")
        return user_register_or_sign_in(phone=phone, password=password, request=request)

    user, created = register("89165551234", PASSWORD)
    assert (user, created) == (owner, False)
    for _ in range(3):
        with pytest.raises(PhoneTaken):
            register("+7 916 555-12-34", "wrong-one")
    assert account_locked(phone="+79165551234", request=RequestFactory().get("/"))
    with pytest.raises(PhoneTaken):  # locked: even the right password is refused now
        register("+79165551234", PASSWORD)
    with pytest.raises(ConsentRequired):  # a new account needs the consent to the processing of personal data
        register("+79165550000", "secret-new-1")
    request = RequestFactory().post("/register/", REMOTE_ADDR="10.0.0.1")
    new, created = user_register_or_sign_in(
        phone="+79165550000", password="secret-new-1", request=request, consent=ConsentAct(source="register")
    )
    assert created and new.phone == "+79165550000"


@pytest.mark.django_db
def test_only_a_verified_buyer_passes_the_drop_gate():
    services.buyer_verified_require(UserFactory(phone_verified=True))
    with pytest.raises(services.PhoneNotVerified) as refused:
        services.buyer_verified_require(UserFactory(phone_verified=False))
    assert (refused.value.status, refused.value.code) == (403, "phone_not_verified")
    assert "SMS" in refused.value.message
