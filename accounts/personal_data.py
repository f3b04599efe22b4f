"""A customer's personal data on request (152-FZ): everything the shop holds about them as JSON, and the
deletion of the account, confirmed by a code sent by SMS.

Deleting anonymises: the profile and whatever names the customer in other apps (their receivers of
`accounts.signals.personal_data_erasing`) become placeholders, while orders, receipts and amounts stay for the
accounts. Every session and token of the account ends: the account is inactive, its password unusable (which
also ends its sessions), and its refresh tokens blacklisted (access tokens of an inactive user are refused).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.consents import consent_withdraw
from accounts.models import Consent, SmsCode, User
from accounts.services import sms_code_use
from accounts.signals import personal_data_erasing, personal_data_requested
from accounts.tasks import sms_deliver

# What stands where a name, a phone or an address was.
ERASED = "удалено по запросу покупателя"


def user_placeholder_phone(user: User) -> str:
    """Unique, never a real number, within the phone column's 16 characters."""
    return f"deleted-{user.pk}"[:16]


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def user_data_export(*, user: User) -> dict:
    """Everything the shop holds about the customer: profile, consents, SMS sent to them, and the sections other
    apps add (orders, waitlist, queue places…)."""
    data = {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "id": user.pk,
            "phone": user.phone,
            "phone_verified": user.phone_verified,
            "full_name": user.full_name,
            "email": user.email,
            "address": user.address,
            "cdek_point": user.cdek_point,
            "telegram": user.telegram,
            "vk": user.vk,
            "date_joined": _iso(user.created_at),
            "last_login": _iso(user.last_login),
        },
        "consents": [
            {
                "given_at": _iso(consent.created_at),
                "source": consent.source,
                "channel": consent.channel,
                "policy": consent.policy_slug,
                "policy_version": consent.policy_version,
                "ip_address": consent.ip_address,
                "user_agent": consent.user_agent,
                "withdrawn_at": _iso(consent.withdrawn_at),
            }
            for consent in Consent.objects.filter(user=user).order_by("created_at", "id")
        ],
        "sms": _sms_sent(user.phone),
    }
    for _receiver, sections in personal_data_requested.send(sender=User, user=user):
        data.update(sections or {})
    return data


def _sms_sent(phone: str) -> list[dict]:
    """Messages texted to the phone (kept by the task queue) and the sign-in codes sent (never the codes)."""
    sent = [
        {
            "queued_at": _iso(task.enqueued_at),
            "status": task.status,
            "text": task.args_kwargs["kwargs"].get("text"),
        }
        for task in DBTaskResult.objects.filter(
            task_path=sms_deliver.module_path, args_kwargs__kwargs__phone=phone
        ).order_by("enqueued_at")
    ]
    codes = [
        {"queued_at": _iso(code.created_at), "status": "code", "text": "Код для входа (сам код не хранится)"}
        for code in SmsCode.objects.filter(phone=phone).order_by("created_at", "id")
    ]
    return sorted(sent + codes, key=lambda row: row["queued_at"] or "")


def user_delete(*, user: User, code: str) -> User:
    """Delete the customer's account at their request, once they prove the phone with a code by SMS.

    The code is checked (and spent) before anything changes; then one transaction anonymises the account and
    every app's rows that name them, and ends every session and token.
    """
    sms_code_use(phone=user.phone, code=code)
    return user_anonymise(user=user)


@transaction.atomic
def user_anonymise(*, user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    phone, placeholder = user.phone, user_placeholder_phone(user)
    personal_data_erasing.send(sender=User, user=user, phone=phone, placeholder=placeholder)
    consent_withdraw(user=user)
    Consent.objects.filter(user=user).update(phone=placeholder)
    SmsCode.objects.filter(phone=phone).delete()
    DBTaskResult.objects.filter(task_path=sms_deliver.module_path, args_kwargs__kwargs__phone=phone).delete()
    # The phone column normalises on save(): the placeholder is written by update().
    # A new password hash ends every session of the account (Django checks the session's hash on each request),
    # and an inactive account is refused by sessions and tokens alike.
    user.set_unusable_password()
    get_user_model().objects.filter(pk=user.pk).update(
        phone=placeholder,
        full_name="",
        email="",
        address="",
        cdek_point="",
        telegram="",
        vk="",
        phone_verified=False,
        is_active=False,
        password=user.password,
        updated_at=timezone.now(),
    )
    for token in OutstandingToken.objects.filter(user=user):
        BlacklistedToken.objects.get_or_create(token=token)
    user.refresh_from_db()
    return user
