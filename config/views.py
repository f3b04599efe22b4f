"""Error answers for the whole site: the API's JSON format under /api/, Russian pages everywhere else.

Django's own defaults (English HTML) would otherwise answer a bad request, a CSRF failure or a server error.
"""

import sys

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE, get_token
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.db_outage import outage_answer

API_PREFIX = "/api/"

ERRORS = {
    400: ("bad_request", "Некорректный запрос."),
    403: ("permission_denied", "Доступ запрещён."),
    404: ("not_found", "Не найдено."),
    500: ("server_error", "Ошибка на сервере. Попробуйте ещё раз через минуту."),
}
# What forms of pages shared by visitors without a session carry instead of a token (shop.page_cache, shop.js).
CSRF_PLACEHOLDER = "csrf-token-of-the-visitor-goes-here"
CSRF_FAILED = ("csrf_failed", "Запрос отклонён: страница устарела. Обновите её и отправьте форму ещё раз.")


def _answer(request, status: int, *, code: str, message: str, template: str):
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": message, "code": code}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, template, {"message": message}, status=status)


def bad_request(request, exception, template_name="400.html"):
    code, message = ERRORS[400]
    if isinstance(exception, RequestDataTooBig):
        code, message = "request_too_big", "Тело запроса слишком большое."
    return _answer(request, 400, code=code, message=message, template="400.html")


def permission_denied(request, exception, template_name="403.html"):
    code, message = ERRORS[403]
    return _answer(request, 403, code=code, message=message, template="403.html")


def not_found(request, exception, template_name="404.html"):
    code, message = ERRORS[404]
    return _answer(request, 404, code=code, message=message, template="404.html")


def server_error(request, template_name="500.html"):
    # Django calls this while handling the exception: a database that stopped answering is an outage, not a bug.
    outage = outage_answer(request, sys.exc_info()[1])
    if outage is not None:
        return outage
    code, message = ERRORS[500]
    return _answer(request, 500, code=code, message=message, template="500.html")


def csrf_failure(request, reason="", template_name="403_csrf.html"):
    """A form sent from a page shared by visitors without a session, by a browser without JavaScript, comes with
    the placeholder and no cookie: the page offers to send the same fields again, now with the visitor's token
    (the cookie is set with this answer). Anything else is refused outright."""
    code, message = CSRF_FAILED
    if (
        reason == REASON_NO_CSRF_COOKIE
        and not request.path.startswith(API_PREFIX)
        and request.POST.get("csrfmiddlewaretoken") == CSRF_PLACEHOLDER
        and not request.FILES
    ):
        fields = [
            (name, value)
            for name, values in request.POST.lists()
            if name != "csrfmiddlewaretoken"
            for value in values
        ]
        context = {"message": message, "resend": {"action": request.get_full_path(), "fields": fields}}
        return render(request, "403_csrf.html", context, status=403)
    return _answer(request, 403, code=code, message=message, template="403_csrf.html")


@never_cache
@require_GET
def csrf_token_issue(request):
    """The visitor's CSRF token (and its cookie), for a form of a page shared by visitors without a session."""
    return JsonResponse({"token": get_token(request)})
