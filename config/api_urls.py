"""Everything under /api/v1/: each app contributes its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("catalog.api_urls")),
    path("", include("pages.api_urls")),
    path("", include("promos.api_urls")),
    path("", include("orders.api_urls")),
    path("", include("analytics.api_urls")),
    path("", include("config.api_views")),
]
