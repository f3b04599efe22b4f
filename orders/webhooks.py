"""YooKassa notifications: `POST /api/v1/payments/yookassa/notifications/`.

The body is trusted for nothing but the payment id: only senders in YooKassa's published networks (the SDK's
`SecurityHelper`) or in `YOOKASSA_TRUSTED_NETWORKS` are heard, and the payment is read back from the API before
anything changes (`orders.services.payment_notification_handle`). Repeats and concurrent copies answer 200 and
change the order once.
"""

import ipaddress
import logging

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from yookassa.domain.common import SecurityHelper

from config.client_ip import client_ip
from orders.services import payment_notification_handle

logger = logging.getLogger("dwc.payments")


def notification_sender_trusted(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    try:
        if SecurityHelper().is_ip_trusted(str(address)):
            return True
    except Exception:  # netaddr refuses what it cannot parse: not YooKassa then
        pass
    for network in settings.YOOKASSA_TRUSTED_NETWORKS:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            logger.error("YOOKASSA_TRUSTED_NETWORKS has an invalid network: %r", network)
    return False


class YooKassaNotificationView(APIView):
    """Payment and refund notifications from YooKassa."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        summary="Уведомление ЮKassa",
        description="Принимается только от адресов ЮKassa; платёж перечитывается из API ЮKassa.",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT},
        auth=[],
        tags=["payments"],
    )
    def post(self, request):
        ip = client_ip(request)
        if not notification_sender_trusted(ip):
            logger.warning("Notification from untrusted address %s refused", ip)
            return Response(
                {"detail": "Адрес отправителя не принадлежит ЮKassa.", "code": "untrusted_sender"},
                status=status.HTTP_403_FORBIDDEN,
            )
        payment_notification_handle(data=request.data)
        return Response({}, status=status.HTTP_200_OK)
