"""Session sign-in for the API (a browser on the shop's own pages), refusing a missing CSRF token in Russian."""

from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions

CSRF_FAILED = "Запрос отклонён: нет CSRF-токена или он неверный. Обновите страницу и повторите."


class CsrfFailed(exceptions.PermissionDenied):
    default_detail = CSRF_FAILED
    default_code = "csrf_failed"


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:  # DRF's text is English, with Django's reason after it
            raise CsrfFailed() from exc


class ShopSessionScheme(SessionScheme):
    """The OpenAPI document names it as DRF's own session sign-in (`cookieAuth`)."""

    target_class = "config.authentication.SessionAuthentication"
