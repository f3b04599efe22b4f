"""Consent to the processing of personal data (152-FZ): asked as a separate act, recorded, withdrawable.

Registration (the page and `auth/register/`), the first sign-in by a code from SMS (which creates the account)
and checkout by a customer with no consent on record ask for it: an unticked checkbox with the policy linked on
pages, `personal_data_consent: true` on the API; without it the answer is 400 `consent_required`. Each act is
a `Consent` row naming the account, its phone, the time, the client's address and browser, and the edition of
the policy page (`pages.Page.revision` and the SHA-256 of the text accepted).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Consent, User
from config.client_ip import client_ip
from config.errors import DomainError
from pages.models import Page

USER_AGENT_MAX = 512


class ConsentRequired(DomainError):
    code = "consent_required"
    field = "personal_data_consent"
    default_message = "Чтобы продолжить, дайте согласие на обработку персональных данных."


@dataclass(frozen=True)
class ConsentAct:
    """Where and how a consent was given: what the record keeps besides the account."""

    source: str
    channel: str = "web"
    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request, *, source: str, channel: str = "web") -> "ConsentAct":
        return cls(
            source=source,
            channel=channel,
            ip=client_ip(request) or None,
            user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX],
        )


def consent_act_or_refuse(*, given: bool, act: ConsentAct) -> ConsentAct:
    """The act when the customer ticked the box (sent `personal_data_consent: true`); ConsentRequired otherwise."""
    if given is not True:
        raise ConsentRequired()
    return act


def consent_on_record(*, user: User) -> bool:
    """The customer has a consent that is not withdrawn (checkout asks only those who have none)."""
    return Consent.objects.filter(user=user, withdrawn_at__isnull=True).exists()


def consent_for_checkout(*, user: User, given: bool, act: ConsentAct) -> Consent | None:
    """Checkout asks a customer with no consent on record (an account from before consents were asked, or one
    that withdrew): refused without it, recorded with it. A customer with one is not asked again."""
    if consent_on_record(user=user):
        return None
    return consent_record(user=user, act=consent_act_or_refuse(given=given, act=act))


def consent_policy() -> tuple[str, int | None, str]:
    """The policy's slug, its current edition and the digest of its text (no edition while the page is missing)."""
    slug = settings.PRIVACY_POLICY_SLUG
    page = Page.objects.filter(slug=slug).only("title", "content", "revision").first()
    if page is None:
        return slug, None, ""
    return slug, page.revision, hashlib.sha256(f"{page.title}\n{page.content}".encode()).hexdigest()


def consent_record(*, user: User, act: ConsentAct) -> Consent:
    slug, version, digest = consent_policy()
    return Consent.objects.create(
        user=user,
        phone=user.phone,
        source=act.source,
        channel=act.channel,
        policy_slug=slug,
        policy_version=version,
        policy_sha256=digest,
        ip_address=act.ip,
        user_agent=act.user_agent[:USER_AGENT_MAX],
    )


@transaction.atomic
def consent_withdraw(*, user: User) -> int:
    """Withdraw every consent of the customer now; the rows stay as the record of what was given and when."""
    return Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
