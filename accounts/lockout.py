"""One lockout per account for wrong passwords, wherever they are typed: the admin, the storefront, the API.

django-axes keeps the count (its `AccessAttempt` rows, listed in the admin under «Axes», where staff unlock). The
account is the phone in E.164 (`lockout_username`, axes' `AXES_USERNAME_CALLABLE`), so `89990000001` and
`+7 999 000-00-01` are one count and one lock. Every password sign-in that has a request passes `LockoutBackend`
(the admin's form, the storefront's `/login/` and registration, the API's `auth/login/`, all through
`django.contrib.auth.authenticate`), which refuses a locked account before any password is checked; a refusal
there or a wrong password is one more failure of that account. A staff session made before the lock, or on the
storefront, does not open the admin while the phone is locked (`accounts.admin_site.ShopAdminSite`).

Failures from one client address across many phones are braked apart (`accounts.throttles.login_address_*`).
A sign-in by a code sent by SMS is never held back by failed passwords: a stranger can lock a password, never
the phone's owner out of the shop.
"""

from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.shortcuts import render
from django.urls import reverse

from accounts.phones import phone_normalize
from accounts.throttles import login_address_failed, login_address_locked
from config.client_ip import client_ip
from config.errors import DomainError


class LoginLocked(DomainError):
    status = 429
    code = "login_locked"
    default_message = "Слишком много попыток входа. Попробуйте через несколько минут или войдите по коду из SMS."


def lockout_username(request, credentials: dict | None = None) -> str | None:
    """The account a sign-in names: its phone in E.164 however it was typed (junk is counted as typed)."""
    data = credentials or {}
    raw = data.get("phone") or data.get("username")
    if raw is None and request is not None:
        form = getattr(request, "POST", None) or {}
        raw = form.get("phone") or form.get("username")
    if not raw:
        return None
    try:
        return phone_normalize(raw)
    except ValidationError:
        return str(raw)[:64]


def lockout_failure_limit(request=None, credentials: dict | None = None) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def lockout_cool_off(request=None) -> timedelta:
    return timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def lockout_off(request=None, credentials: dict | None = None) -> bool:
    """Axes' whitelist: nothing is counted or locked while `THROTTLE_ENABLED` is off (load tests)."""
    return not settings.THROTTLE_ENABLED


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """The admin shows its lockout page; the storefront and the API answer the refusal themselves."""
    if _is_admin(request) or original_response is None:
        return render(request, "admin/locked_out.html", status=429)
    return original_response


def account_locked(*, phone: str, request) -> bool:
    """Whether password sign-in to the account with this phone is locked now."""
    if not settings.AXES_ENABLED or not phone:
        return False
    return AxesProxyHandler.is_locked(request, {"username": phone})


def lockout_clear(*, phone: str) -> None:
    """A right password clears the account's failures, as axes does on a session sign-in (`user_logged_in`),
    also for the API's token sign-in, which makes no session."""
    if settings.AXES_ENABLED and phone:
        reset(username=phone)


def _is_admin(request) -> bool:
    return request is not None and request.path.startswith(reverse("admin:index"))


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked account, or an address over its failures, before any password is checked.

    Sign-ins without a request (tests, management commands) are no one's login page: it steps aside.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        if login_address_locked(ip=client_ip(request)):
            request.axes_locked_out = True
            raise PermissionDenied("Too many failed sign-ins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed, dispatch_uid="accounts.lockout.address_failed")
def _address_failed(sender, credentials, request=None, **kwargs):
    if request is not None:
        login_address_failed(ip=client_ip(request))
