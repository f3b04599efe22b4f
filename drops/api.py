"""The waiting room for frontends: `POST products/{id}/queue/` takes the account's place, `GET` reads it."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Product
from config.api import error_responses
from config.client_ip import client_ip
from drops import services
from drops.serializers import QueuePlaceSerializer

MAX_ID = 2**63 - 1


class ProductQueueView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Моё место в очереди",
        parameters=[OpenApiParameter("token", str, description="Пропуск из прошлого ответа (необязательно).")],
        responses={200: QueuePlaceSerializer, **error_responses(401, 404)},
    )
    def get(self, request, pk: int):
        try:
            place = services.queue_place(
                product_id=_product_id(pk), user=request.user, token=request.query_params.get("token", "")
            )
        except Product.DoesNotExist as missing:
            raise NotFound("Товар не найден.") from missing
        if place is None:
            raise NotFound("Вы ещё не в очереди.", code="queue_no_place")
        return Response(QueuePlaceSerializer(place.as_dict()).data)

    @extend_schema(
        summary="Встать в очередь",
        description="Только с подтверждённым телефоном (код из SMS: `auth/sms/`, затем `auth/sms/verify/`), "
        "иначе 403 `phone_not_verified`. До открытия очереди — 409 `queue_not_open`.",
        request=None,
        responses={200: QueuePlaceSerializer, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        product = get_object_or_404(Product.objects.visible(), pk=_product_id(pk))
        place = services.queue_join(product=product, user=request.user, ip=client_ip(request) or None)
        return Response(QueuePlaceSerializer(place.as_dict()).data)


def _product_id(pk: int) -> int:
    if pk > MAX_ID:  # no database id: refused before it reaches the database integer
        raise NotFound("Товар не найден.")
    return pk
