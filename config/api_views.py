"""Service endpoints of the API: health check, OpenAPI schema and its Swagger UI."""

import logging

from django.core.cache import caches
from django.db import DatabaseError, connection
from django.urls import path, reverse
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)

HealthSerializer = inline_serializer(
    name="Health",
    fields={
        "status": serializers.CharField(help_text="`ok` или `unavailable`."),
        "database": serializers.CharField(help_text="`ok` или `unavailable`."),
        "cache": serializers.CharField(
            help_text="`ok` или `down`: общий кэш (Redis) не отвечает — магазин работает медленнее, но работает."
        ),
    },
)


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return False


def cache_answers() -> bool:
    """Whether the shared cache answers: Redis pinged (`config.cache_backend`); the database's cache table is the
    database itself."""
    cache = caches["default"]
    ping = getattr(cache, "ping", None)
    return ping() if ping is not None else True


class HealthView(APIView):
    """For load balancers and monitoring: 200 while the database answers, 503 when it does not. A shared cache
    that does not answer is `cache: down` with a 200: the shop is slower, not out."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list = []

    @extend_schema(
        operation_id="health",
        responses={
            200: HealthSerializer,
            503: OpenApiResponse(HealthSerializer, description="База данных недоступна."),
        },
    )
    def get(self, request):
        cache = "ok" if cache_answers() else "down"
        if database_answers():
            return Response({"status": "ok", "database": "ok", "cache": cache})
        return Response(
            {"status": "unavailable", "database": "unavailable", "cache": cache},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([permissions.AllowAny])
def api_not_found(request, *args, **kwargs):
    """Unknown addresses under /api/v1/ answer in the API's error format, not with an HTML page."""
    raise NotFound()


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([permissions.AllowAny])
def api_root(request):
    """The API's front door: where its documentation and schema are."""
    return Response(
        {
            "name": "DWC Shop API v1",
            "docs": request.build_absolute_uri(reverse("api-docs")),
            "schema": request.build_absolute_uri(reverse("api-schema")),
            "health": request.build_absolute_uri(reverse("api-health")),
        }
    )


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document, JSON unless `?format=yaml` or an `Accept` header asks for YAML."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiJsonRenderer2, OpenApiYamlRenderer, OpenApiYamlRenderer2]
    authentication_classes: list = []


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file (`?script`), as the content security policy requires."""

    template_name = "api/swagger_ui.html"


urlpatterns = [
    path("", api_root, name="api-root"),
    path("health/", HealthView.as_view(), name="api-health"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
