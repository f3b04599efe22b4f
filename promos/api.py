"""Promo codes: staff manage them. What a code does to a cart (`promo-codes/validate/`) is `orders.api`'s: it
needs the customer's orders."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.response import Response

from config.api import error_responses
from promos import selectors, services
from promos.serializers import PromoCodeSerializer

_STAFF_ONLY = "Только для сотрудников. `current_uses` считает магазин (только чтение)."


@extend_schema_view(
    list=extend_schema(
        description=_STAFF_ONLY, responses={200: PromoCodeSerializer(many=True), **error_responses(401, 403)}
    ),
    retrieve=extend_schema(
        description=_STAFF_ONLY, responses={200: PromoCodeSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        description=_STAFF_ONLY, responses={201: PromoCodeSerializer, **error_responses(400, 401, 403)}
    ),
    update=extend_schema(
        description=_STAFF_ONLY, responses={200: PromoCodeSerializer, **error_responses(400, 401, 403, 404)}
    ),
    partial_update=extend_schema(
        description=_STAFF_ONLY, responses={200: PromoCodeSerializer, **error_responses(400, 401, 403, 404)}
    ),
    destroy=extend_schema(
        description="Удаляет неиспользованный код; использованный код можно только выключить (`is_active`).",
        responses={204: None, **error_responses(401, 403, 404, 409)},
    ),
)
class PromoCodeViewSet(viewsets.ModelViewSet):
    serializer_class = PromoCodeSerializer
    permission_classes = [permissions.IsAdminUser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.promo_code_list()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        promo = services.promo_code_create(data=dict(serializer.validated_data))
        return Response(self.get_serializer(promo).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        promo = self.get_object()
        serializer = self.get_serializer(promo, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        promo = services.promo_code_update(promo=promo, data=dict(serializer.validated_data))
        return Response(self.get_serializer(promo).data)

    def destroy(self, request, *args, **kwargs):
        services.promo_code_delete(promo=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
