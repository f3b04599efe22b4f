"""Promo codes in and out of the API; the rules live in promos.services and the table's checks."""

from django.conf import settings
from rest_framework import serializers

from catalog.models import Product
from catalog.serializers import ITEM_LIST_ERRORS, ItemInputSerializer
from promos.models import PromoCode
from promos.services import PromoCodeRejected, promo_check, promo_draft


class PromoCodeSerializer(serializers.ModelSerializer):
    """Staff view of a code. `current_uses` is counted by orders and read-only."""

    products = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Product.objects.all(), required=False, help_text="Пусто — код действует на все товары."
    )

    class Meta:
        model = PromoCode
        fields = [
            "id",
            "code",
            "description",
            "discount_percent",
            "discount_amount",
            "max_uses",
            "max_uses_per_customer",
            "first_order_only",
            "current_uses",
            "valid_from",
            "valid_until",
            "is_active",
            "products",
            "created_at",
        ]
        read_only_fields = ["id", "current_uses", "created_at"]
        extra_kwargs = {"code": {"validators": []}}

    @staticmethod
    def _within_calendar(value):
        # Far-off dates make no sense for a shop's campaign and render with historic local offsets.
        if value is not None and not 2000 <= value.year <= 2100:
            raise serializers.ValidationError("Укажите дату между 2000 и 2100 годом.")
        return value

    def validate_valid_from(self, value):
        return self._within_calendar(value)

    def validate_valid_until(self, value):
        return self._within_calendar(value)

    def validate(self, attrs):
        try:
            promo_check(promo=promo_draft(promo=self.instance, data=attrs))
        except PromoCodeRejected as error:
            raise serializers.ValidationError({error.field or "non_field_errors": error.message}) from error
        return attrs


class PromoValidateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    items = ItemInputSerializer(
        many=True, allow_empty=False, max_length=settings.ORDER_MAX_LINES, error_messages=ITEM_LIST_ERRORS
    )


class PromoPreviewSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    promo_code = serializers.CharField(required=False, help_text="Код, как он записан в магазине.")
    code = serializers.CharField(required=False, help_text="Стабильный код причины отказа, когда valid=false.")
    detail = serializers.CharField(required=False, help_text="Почему код не подходит, когда valid=false.")
    discount_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    final_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
