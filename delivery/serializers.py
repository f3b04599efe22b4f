"""Delivery in and out of the API: shapes only; prices and points come from delivery.services and selectors."""

from django.conf import settings
from rest_framework import serializers

from delivery.models import DeliveryMethod
from delivery.selectors import MAX_CITY_LENGTH

MAX_ID = 2**63 - 1


class PointsQuerySerializer(serializers.Serializer):
    city = serializers.CharField(max_length=MAX_CITY_LENGTH, help_text="Город, например «Москва».")


class DeliveryPointSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Код пункта СДЭК: его передают как `cdek_point`.")
    name = serializers.CharField()
    address = serializers.CharField()
    address_full = serializers.CharField()
    city = serializers.CharField()
    work_time = serializers.CharField()
    is_dressing_room = serializers.BooleanField(help_text="Есть примерочная.")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


class QuoteLineSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    size = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=settings.ORDER_MAX_LINE_QUANTITY)


class QuoteInputSerializer(serializers.Serializer):
    items = QuoteLineSerializer(many=True, allow_empty=False, max_length=settings.ORDER_MAX_LINES)
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Без него: `cdek_pickup`, если указан `cdek_point`, иначе `courier`, если указан `city`.",
    )
    cdek_point = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=MAX_CITY_LENGTH, required=False, allow_blank=True, default="")


class QuoteSerializer(serializers.Serializer):
    delivery_amount = serializers.DecimalField(max_digits=12, decimal_places=2, source="amount")
    period_min = serializers.IntegerField(
        allow_null=True, help_text="Дней в пути, от (нет при фиксированной цене)."
    )
    period_max = serializers.IntegerField(allow_null=True, help_text="Дней в пути, до.")
    source = serializers.CharField(
        help_text="`cdek` — расчёт СДЭК, `flat` — фиксированная цена (СДЭК не ответил)."
    )
