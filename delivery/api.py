"""CDEK pickup points and delivery prices for frontends."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.throttles import ShopRateThrottle
from config.api import error_responses
from config.client_ip import client_ip
from delivery import selectors, services
from delivery.serializers import (
    DeliveryPointSerializer,
    PointsQuerySerializer,
    QuoteInputSerializer,
    QuoteSerializer,
)


class DeliveryThrottle(ShopRateThrottle):
    """Points and quotes: each new city name may cost a call to CDEK, so nobody may ask for thousands. A verified
    buyer counts on their own (a carrier puts thousands of them behind one address at a drop); anyone else, by
    the address they ask from."""

    scope = "delivery_ip"

    def get_cache_key(self, request, view):
        buyer = _verified_buyer(request)
        ident = f"buyer:{buyer.pk}" if buyer is not None else client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _verified_buyer(request):
    """The signed-in buyer with a confirmed phone behind a request to these public endpoints, if any: they
    authenticate nobody, so a bad or missing token only means the address counts."""
    for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        try:
            found = authentication().authenticate(request)
        except exceptions.APIException:
            continue
        if found is not None and found[0].phone_verified:
            return found[0]
    return None


class DeliveryViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [DeliveryThrottle]
    authentication_classes: list = []  # nothing here depends on who asks
    serializer_class = QuoteInputSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        operation_id="delivery_points",
        parameters=[OpenApiParameter("city", str, required=True, description="Город, например «Москва».")],
        responses={200: DeliveryPointSerializer(many=True), **error_responses(400, 429, 503)},
        description="Пункты выдачи СДЭК в городе: сначала с примерочной (пустой список, если СДЭК не подключён). "
        "Неизвестный город — 400 `city_unknown`; "
        "СДЭК не отвечает и списка нет в кэше — 503 `delivery_unavailable`.",
    )
    @action(detail=False, methods=["get"])
    def points(self, request):
        query = PointsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        points = selectors.delivery_points(city=query.validated_data["city"])
        return Response(DeliveryPointSerializer(points, many=True).data)

    @extend_schema(
        operation_id="delivery_quote",
        request=QuoteInputSerializer,
        responses={200: QuoteSerializer, **error_responses(400, 429)},
        description="Цена доставки по весу товаров из калькулятора СДЭК; если СДЭК не настроен или не ответил "
        "вовремя — фиксированная цена (`source: flat`). Неизвестный пункт — 400 `cdek_point_unknown`, "
        "неизвестный город — 400 `city_unknown`, ни пункта, ни города — 400 `delivery_required`.",
    )
    @action(detail=False, methods=["post"])
    def quote(self, request):
        serializer = QuoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A courier without a city is priced flat; with nothing at all there is nothing to price.
        method = data["delivery_method"] or services.delivery_method_infer(
            cdek_point=data["cdek_point"], address=data["city"]
        )
        quote = services.delivery_quote(
            weight_grams=selectors.delivery_items_weight(items=data["items"]),
            method=method,
            point=data["cdek_point"] or None,
            city=data["city"],
        )
        return Response(QuoteSerializer(quote).data)
