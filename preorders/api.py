"""Back-in-stock alerts for frontends: `POST products/{id}/waitlist/` leaves a phone for one SMS."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.phones import phone_normalize
from accounts.throttles import ShopRateThrottle
from catalog.models import Product
from config.api import error_responses
from config.client_ip import client_ip
from preorders.services import waitlist_join

MAX_ID = 2**63 - 1


class WaitlistInputSerializer(serializers.Serializer):
    phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="Без него — телефон аккаунта."
    )
    size = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="Размер товара в наличии."
    )

    def validate_phone(self, phone):
        if not phone.strip():
            return ""
        try:
            return phone_normalize(phone)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class WaitlistEntrySerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    size = serializers.CharField()
    phone = serializers.CharField()
    created_at = serializers.DateTimeField()


class WaitlistIPThrottle(ShopRateThrottle):
    """Waitlist requests from one address: anyone may leave a phone, so nobody may leave thousands."""

    scope = "waitlist_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class ProductWaitlistView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [WaitlistIPThrottle]

    @extend_schema(
        summary="Сообщить, когда товар появится",
        request=WaitlistInputSerializer,
        responses={201: WaitlistEntrySerializer, **error_responses(400, 404, 409, 429)},
    )
    def post(self, request, pk: int):
        product = get_object_or_404(Product.objects.visible(), pk=min(pk, MAX_ID))
        data = WaitlistInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        phone = data.validated_data.get("phone") or (user.phone if user else "")
        if not phone:
            raise serializers.ValidationError({"phone": ["Укажите телефон."]})
        entry = waitlist_join(product=product, phone=phone, size=data.validated_data["size"], user=user)
        return Response(WaitlistEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
