"""The catalog for frontends: anyone reads visible products, staff write them."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.response import Response

from catalog import selectors, services
from catalog.caching import LIST_VERSION, product_version
from catalog.filters import ProductFilter
from catalog.serializers import ProductSerializer
from config.api import IsStaffOrReadOnly, error_responses
from config.audit import audit_record_rows
from config.cache_keys import cache_key_for, request_known_only
from config.cache_versions import cached_body, cached_body_find

_WRITE_HELP = (
    'Только для сотрудников. `stock` — остатки по размерам {"S": 5, "M": 0}; размеры должны быть из `sizes`. '
    "Для предзаказа (`preorder`) нужны `preorder_waves_total` и `preorder_wave_capacity` — волны создаются сами."
)


@extend_schema_view(
    list=extend_schema(
        description="Видимые товары (активные и не в архиве). Сотрудники с `include_hidden=true` видят все.",
        parameters=[
            OpenApiParameter(
                "include_hidden", bool, description="Только для сотрудников: и скрытые, и архивные товары."
            )
        ],
        responses={200: ProductSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(responses={200: ProductSerializer, **error_responses(404)}),
    create=extend_schema(
        description=_WRITE_HELP, responses={201: ProductSerializer, **error_responses(400, 401, 403)}
    ),
    update=extend_schema(
        description=_WRITE_HELP, responses={200: ProductSerializer, **error_responses(400, 401, 403, 404)}
    ),
    partial_update=extend_schema(
        description=_WRITE_HELP, responses={200: ProductSerializer, **error_responses(400, 401, 403, 404)}
    ),
    destroy=extend_schema(
        description="Убирает товар в архив (`is_archived`); товары не удаляются — на них ссылаются заказы.",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class ProductViewSet(viewsets.ModelViewSet):
    serializer_class = ProductSerializer
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter
    lookup_value_regex = r"\d+"

    def get_permissions(self):
        # Reads are open to everyone; saying so with AllowAny also tells the schema a token is optional there.
        if self.request is not None and self.request.method in permissions.SAFE_METHODS:
            return [permissions.AllowAny()]
        return super().get_permissions()

    def get_queryset(self):
        # Staff reach hidden and archived products by id (to edit or restore them); in the list only on request.
        include_hidden = self.action != "list" or self.request.query_params.get("include_hidden") in ("true", "1")
        return selectors.product_list(user=self.request.user, include_hidden=include_hidden)

    def get_object(self):
        product = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, product)
        return product

    # --- Cached reads: what customers see is the same for all of them, so its JSON is rendered once per version.
    def dispatch(self, request, *args, **kwargs):
        # An anonymous read that was rendered before is answered before DRF wraps the request: no authentication,
        # negotiation or permission can change what it gets.
        if (
            settings.CATALOG_CACHE
            and request.method == "GET"
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and self.action_map.get("get") in ("list", "retrieve")
        ):
            versions = self._cache_versions(self.action_map["get"])
            _, body = cached_body_find(key=self._cache_key(request), versions=versions)
            if body is not None:
                request_known_only(request, params=self._known_params())  # the address it answers (front cache)
                return HttpResponse(body, content_type="application/json")
        return super().dispatch(request, *args, **kwargs)

    def _known_params(self) -> list[str]:
        if self.action_map.get("get") == "list":
            return [*ProductFilter.base_filters, "page", "page_size"]
        return []

    def _cache_key(self, request) -> str:
        # Only what the read knows names its entry: junk query strings share the canonical one.
        return cache_key_for(request, prefix="api", params=self._known_params())

    def _cache_versions(self, action: str) -> list[str]:
        if action == "retrieve":
            return [product_version(int(self.kwargs["pk"]))]
        return [LIST_VERSION]

    def _cacheable(self, request) -> bool:
        return settings.CATALOG_CACHE and not request.user.is_staff

    def _cached(self, request, versions, read) -> HttpResponse:
        """The JSON of `read()` for this URL, rendered once per version; refusals are never stored."""
        refused = []
        # The stored body (its next-page links) is rendered from the known parameters only.
        request_known_only(getattr(request, "_request", request), params=self._known_params())

        def render():
            response = self.finalize_response(request, read(), *self.args, **self.kwargs)
            response.render()
            if response.status_code != 200:
                refused.append(response)
                return None
            return response.content

        body = cached_body(key=self._cache_key(request), versions=versions, render=render)
        if body is None:
            return refused[0]
        return HttpResponse(body, content_type="application/json")

    def list(self, request, *args, **kwargs):
        if not self._cacheable(request):
            return super().list(request, *args, **kwargs)
        return self._cached(
            request, self._cache_versions(self.action), lambda: super(ProductViewSet, self).list(request)
        )

    def retrieve(self, request, *args, **kwargs):
        if not self._cacheable(request):
            return super().retrieve(request, *args, **kwargs)
        versions = [product_version(int(kwargs["pk"]))]
        return self._cached(
            request, versions, lambda: super(ProductViewSet, self).retrieve(request, *args, **kwargs)
        )

    def _reloaded(self, product):
        return selectors.product_get(pk=product.pk, user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        stock = data.pop("stock", None)
        product = services.product_create(data=data, stock=stock)
        audit_record_rows(product.stock.all())
        body = self.get_serializer(self._reloaded(product)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        product = self.get_object()
        serializer = self.get_serializer(product, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        stock = data.pop("stock", None)
        product = services.product_update(product=product, data=data, stock=stock)
        if stock is not None:
            audit_record_rows(product.stock.all())
        return Response(self.get_serializer(self._reloaded(product)).data)

    def destroy(self, request, *args, **kwargs):
        services.product_archive(product=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
