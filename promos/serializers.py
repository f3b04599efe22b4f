"""Promo codes in and out of the API; the rules live in promos.services and the table's checks."""

from decimal import Decimal

from rest_framework import serializers

from catalog.models import Product
from catalog.serializers import ItemInputSerializer
from promos.models import PromoCode


class PromoCodeSerializer(serializers.ModelSerializer):
    """Staff view of a code. `current_uses` is counted by orders and read-only."""

    products = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Product.objects.all(), required=False, help_text="Пусто — код действует на все товары."
    )
    discount_percent = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    discount_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
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
            "current_uses",
            "valid_from",
            "valid_until",
            "is_active",
            "products",
            "created_at",
        ]
        read_only_fields = ["id", "current_uses", "created_at"]
        extra_kwargs = {"code": {"validators": []}}

    def validate_code(self, value):
        value = value.strip().upper()
        if not value:
            raise serializers.ValidationError("Укажите код.")
        taken = PromoCode.objects.filter(code__iexact=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError("Такой промокод уже есть.")
        return value

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
        def value(field):
            if field in attrs:
                return attrs[field]
            return getattr(self.instance, field) if self.instance is not None else None

        percent, amount = value("discount_percent"), value("discount_amount")
        if (percent is None) == (amount is None):
            raise serializers.ValidationError(
                {"discount_percent": "Укажите либо скидку в процентах, либо скидку в рублях — одно из двух."}
            )
        valid_from, valid_until = value("valid_from"), value("valid_until")
        if valid_from and valid_until and valid_until <= valid_from:
            raise serializers.ValidationError({"valid_until": "Окончание должно быть позже начала."})
        max_uses = value("max_uses")
        current_uses = self.instance.current_uses if self.instance is not None else 0
        if max_uses is not None and max_uses < current_uses:
            raise serializers.ValidationError(
                {"max_uses": f"Код уже использован {current_uses} раз: лимит не может быть меньше."}
            )
        return attrs


class PromoValidateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    items = ItemInputSerializer(many=True, allow_empty=False)


class PromoPreviewSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    promo_code = serializers.CharField(required=False, help_text="Код, как он записан в магазине.")
    code = serializers.CharField(required=False, help_text="Стабильный код причины отказа, когда valid=false.")
    detail = serializers.CharField(required=False, help_text="Почему код не подходит, когда valid=false.")
    discount_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    final_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
