"""Project-wide request guards that belong to no app."""

import re

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from config.views import not_found

TOKEN_PATHS = "/api/v1/auth/"  # answers carry fresh tokens even to an anonymous request


# What a request id sent by a proxy or a client may be to be echoed and logged: short, plain characters (a UUID,
# a load balancer's trace id). Anything else (6 KB of markup) is dropped, and django-guid makes a new one.
REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,64}")


def request_id_checked(get_response):
    """Runs before django-guid: an `X-Request-ID` that is too long or holds other characters is not taken."""

    def middleware(request):
        given = request.META.get(REQUEST_ID_HEADER)
        if given is not None and not REQUEST_ID.fullmatch(given):
            del request.META[REQUEST_ID_HEADER]
        return get_response(request)

    return middleware


def refuse_unreadable_paths(get_response):
    """A path with a NUL or another control character names nothing: 404, before it reaches a URL or a query
    (PostgreSQL refuses NUL in text, which would otherwise surface as a server error)."""

    def middleware(request):
        if any(ord(char) < 32 or ord(char) == 127 for char in request.path_info):
            return not_found(request, None)
        return get_response(request)

    return middleware


def private_responses_not_stored(get_response):
    """What a signed-in customer sees (account, orders, tokens) is never kept by a browser or a proxy cache."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if (signed_in or request.path.startswith(TOKEN_PATHS)) and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response

    return middleware


# The start of Django's debug «Page not found» page.
_TECHNICAL_404 = b"Page not found at"


class FriendlyNotFoundMiddleware:
    """With `DEBUG` on (`make run`), a missing address answers as in production: the shop's Russian 404 page,
    or the API's JSON 404 under /api/.

    Django's debug 404 (the URL patterns tried) stays one setting away: `DEBUG_TECHNICAL_404=true`.
    Without `DEBUG` Django calls `handler404` itself and this does nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and not settings.DEBUG_TECHNICAL_404
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and _TECHNICAL_404 in response.content[:2000]
        ):
            return not_found(request, None)
        return response
