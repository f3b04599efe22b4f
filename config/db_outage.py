"""A database that does not answer (restarting, failing over, a connection cut) costs a fast 503, not a 500 page.

The API gets the usual error body (`database_unavailable`) with `Retry-After`; a storefront page gets a short page
in Russian that needs no database (no template: its context processors would ask the database again). Django then
drops the broken connection at the end of the request, and `CONN_HEALTH_CHECKS` checks a kept connection before
the next request uses it, so the shop recovers by itself once the database is back, without a restart.

The middleware answers for views; a failed query above it (the front cache reading its versions from the database
without Redis, sessions saved on the way out) reaches `handler500`, which gives the same answer
(`config.views.server_error`).
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static

logger = logging.getLogger("dwc.db")

RETRY_AFTER_SECONDS = 5
MESSAGE = "Сервис временно недоступен: база данных не отвечает. Повторите через несколько секунд."
PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Магазин временно недоступен — DWC</title><link rel="stylesheet" href="{stylesheet}"></head>
<body><main class="container site-main"><div class="panel stack">
<h1>Магазин временно недоступен</h1>
<p>Мы уже чиним. Обновите страницу через несколько секунд — корзина и заказы сохранены.</p>
<p><a class="button button--primary" href="/">На главную</a></p>
</div></main></body></html>"""


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return outage_answer(request, exception)


def outage_answer(request, exception: BaseException | None) -> HttpResponse | None:
    """The 503 for a database that did not answer; None for any other exception."""
    if not isinstance(exception, OperationalError | InterfaceError):
        return None
    logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        body = {"detail": MESSAGE, "code": "database_unavailable"}
        return JsonResponse(body, status=503, headers=headers, json_dumps_params={"ensure_ascii": False})
    page = PAGE.format(stylesheet=_stylesheet())
    return HttpResponse(page, status=503, headers=headers, content_type="text/html; charset=utf-8")


def _stylesheet() -> str:
    """The shop's stylesheet (static files are served without the database); none if it cannot be named."""
    try:
        return static("css/shop.css")
    except ValueError:  # no manifest entry: collectstatic has not run
        return ""
