"""Whole catalog pages for visitors without a session, rendered once per version of what they show.

A visitor with no session cookie and no pending message sees exactly what every other such visitor sees (an
empty cart, the «Войти» link). Their forms carry a placeholder for the CSRF token, and no cookie is set: a first
visit stays cookie-free (and the page can be kept whole, `config.front_cache`). The form asks for a token when it
is sent (`static/js/shop.js`, `csrf_token_issue`); without JavaScript, the refusal page offers to send the same
form again with a token (`config.views.csrf_failure`). Customers with a session get pages rendered for them.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse

from catalog.caching import LIST_VERSION, product_version
from config.cache_keys import cache_key_for, request_known_only
from config.cache_versions import cached_body, versions_bump
from config.views import CSRF_PLACEHOLDER

# What every storefront page shows in its footer.
PAGES_VERSION = "pages"
_SLUG_KEY = "shop:product-slug:"
_SLUG_LOCAL_SECONDS = 60


def page_is_shared(request) -> bool:
    """A GET of a visitor who has no session and no message waiting: the page is the same for all of them."""
    return (
        settings.CATALOG_CACHE
        and not transaction.get_connection().in_atomic_block  # reads of a transaction never use the cache
        and request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def shared_page(request, *, versions: list[str], render, params: Iterable[str] = ()) -> HttpResponse:
    """The page for this URL, stored per version of what it shows; `params` are the query parameters the page
    reads (any other is ignored, so junk query strings share one entry).

    `render(csrf_token)` returns the rendered response and whether it may be stored (only a 200 ever is).
    """
    fresh = []

    def body() -> bytes | None:
        response, storable = render(CSRF_PLACEHOLDER)
        if response.status_code != 200 or not storable:
            fresh.append(response)
            return None
        return response.content

    key = cache_key_for(request, prefix="page", params=params)
    request_known_only(request, params=params)
    content = cached_body(key=key, versions=[*versions, PAGES_VERSION], render=body)
    return fresh[0] if content is None else HttpResponse(content)


def catalog_versions() -> list[str]:
    return [LIST_VERSION]


def product_page_product_id(key: str) -> int | None:
    """The product a page address names, when known without the database: its id, or a slug seen before."""
    if key.isdecimal():
        return int(key) if len(key) < 19 else None
    # Each process keeps what it learned for a minute: a slug that moved to another product is noticed when the
    # page is rendered (see product_detail) and learned again.
    product_id = caches["local"].get(_SLUG_KEY + key)
    if product_id is None:
        product_id = caches["default"].get(_SLUG_KEY + key)
        if product_id is not None:
            caches["local"].set(_SLUG_KEY + key, product_id, timeout=_SLUG_LOCAL_SECONDS)
    return product_id


def product_page_remember(key: str, product_id: int) -> None:
    if not key.isdecimal():
        caches["default"].set(_SLUG_KEY + key, product_id, timeout=None)
        caches["local"].set(_SLUG_KEY + key, product_id, timeout=_SLUG_LOCAL_SECONDS)


def product_versions(product_id: int) -> list[str]:
    return [product_version(product_id)]


def _pages_changed(sender, **kwargs):
    versions_bump(names=[PAGES_VERSION])


def page_cache_follow_pages(model) -> None:
    """CMS pages appear in every page's footer."""
    post_save.connect(_pages_changed, sender=model, dispatch_uid="shop.page_cache.pages_saved")
    post_delete.connect(_pages_changed, sender=model, dispatch_uid="shop.page_cache.pages_deleted")
