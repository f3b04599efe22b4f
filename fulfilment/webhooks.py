"""CDEK's status webhooks: `POST /api/v1/delivery/cdek/webhook/`.

The body is trusted for nothing but the order's uuid: the order is read back from CDEK before anything changes
(`fulfilment.services.webhook_handle`). Repeats and concurrent copies answer 200 and act once; when CDEK itself
does not answer the read-back, 503 asks CDEK to send the webhook again.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from fulfilment.services import webhook_handle


class CdekWebhookView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        summary="Вебхук СДЭК",
        description=(
            "Статусы заказов СДЭК (`ORDER_STATUS`). Из тела берётся только `uuid` заказа: заказ перечитывается "
            "из API СДЭК, и магазин действует один раз (отправлен, вручён, возвращается). Неизвестный `uuid` — "
            "200 без изменений; СДЭК не ответил — 503 (СДЭК пришлёт вебхук снова)."
        ),
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
        auth=[],
        tags=["delivery"],
    )
    def post(self, request):
        webhook_handle(data=request.data)
        return Response({}, status=status.HTTP_200_OK)
