"""Addresses for machine readers: `/robots.txt`, `/sitemap.xml`, `/feeds/yandex-market.yml`.

The sitemap and the feed are cached like the catalog's pages (`config.cache_versions`): stored per version of
what they show, so a product saved, restocked or hidden shows there at once.
"""

from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.caching import LIST_VERSION
from config.cache_versions import cached_body
from seo.feeds import yandex_market_feed
from seo.sitemaps import SITEMAPS
from shop.page_cache import PAGES_VERSION

# Tracking parameters that never make another page: Yandex's robot drops them (`Clean-param`).
TRACKING_PARAMS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "yclid", "gclid"]
# What a robot has no business reading: the back office, the API, a customer's cart, checkout, account, orders.
CLOSED_PATHS = [
    "/admin/",
    "/api/",
    "/cart/",
    "/checkout/",
    "/account/",
    "/orders/",
    "/login/",
    "/register/",
    "/password/",
]


def _cached(key: str, versions: list[str], render_body) -> bytes:
    if not settings.CATALOG_CACHE or transaction.get_connection().in_atomic_block:
        return render_body()
    return cached_body(key=key, versions=versions, render=render_body)


@require_GET
def robots_txt(request):
    context = {
        "closed_paths": CLOSED_PATHS,
        "clean_param": "&".join(TRACKING_PARAMS),
        "sitemap_url": f"{settings.SITE_URL}/sitemap.xml",
    }
    return render(request, "seo/robots.txt", context, content_type="text/plain; charset=utf-8")


@require_GET
def sitemap_xml(request):
    def body() -> bytes:
        response = sitemap(request, sitemaps=SITEMAPS)
        return response.render().content

    content = _cached("seo:sitemap.xml", [LIST_VERSION, PAGES_VERSION], body)
    return HttpResponse(content, content_type="application/xml; charset=utf-8")


@require_GET
def yandex_market_yml(request):
    content = _cached("seo:yandex-market.yml", [LIST_VERSION], yandex_market_feed)
    return HttpResponse(content, content_type="application/xml; charset=utf-8")
