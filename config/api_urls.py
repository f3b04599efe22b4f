"""Everything under /api/v1/: each app contributes its own routes."""

from django.urls import include, path, re_path

from config.api_views import api_not_found

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("catalog.api_urls")),
    path("", include("preorders.api_urls")),
    path("", include("drops.api_urls")),
    path("", include("pages.api_urls")),
    path("", include("promos.api_urls")),
    path("", include("orders.api_urls")),
    path("", include("analytics.api_urls")),
    path("", include("fulfilment.api_urls")),
    path("", include("delivery.api_urls")),
    path("", include("config.api_views")),
    # Keep last: any other address ending in a slash is a JSON 404 (without a slash, APPEND_SLASH redirects).
    re_path(r"^[\s\S]*/$", api_not_found, name="api-not-found"),
]
