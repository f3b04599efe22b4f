"""Input and output of the analytics report. Amounts and percents travel as strings ("3490.00")."""

from rest_framework import serializers

from analytics.selectors import PeriodRejected, period_build

DATE_FORMATS = ["%Y-%m-%d"]


def Money(**kwargs):  # noqa: N802 - reads like a field class
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class PeriodQuerySerializer(serializers.Serializer):
    """`?date_from=YYYY-MM-DD&date_to=YYYY-MM-DD`, both days included; the last 30 days when left out."""

    date_from = serializers.DateField(required=False, input_formats=DATE_FORMATS)
    date_to = serializers.DateField(required=False, input_formats=DATE_FORMATS)

    def validate(self, attrs):
        try:
            return {"period": period_build(date_from=attrs.get("date_from"), date_to=attrs.get("date_to"))}
        except PeriodRejected as error:
            raise serializers.ValidationError({error.field or "date_to": [error.message]}) from error


class TopProductSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    article = serializers.CharField()
    units = serializers.IntegerField()
    revenue = Money()


class PromoCodeUsageSerializer(serializers.Serializer):
    code = serializers.CharField()
    orders_count = serializers.IntegerField()
    discount_total = Money()
    revenue = Money()
    current_uses = serializers.IntegerField()
    max_uses = serializers.IntegerField(allow_null=True)


class PromoUsageSerializer(serializers.Serializer):
    orders_count = serializers.IntegerField()
    discount_total = Money()
    codes = PromoCodeUsageSerializer(many=True)


class WaveFillSerializer(serializers.Serializer):
    wave_number = serializers.IntegerField()
    capacity = serializers.IntegerField()
    current_count = serializers.IntegerField()
    status = serializers.CharField(help_text="collecting, production, shipping, completed")
    fill_percent = serializers.DecimalField(max_digits=6, decimal_places=2)


class ProductWaveFillSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    article = serializers.CharField()
    order_type = serializers.CharField()
    capacity = serializers.IntegerField()
    ordered = serializers.IntegerField()
    fill_percent = serializers.DecimalField(max_digits=6, decimal_places=2)
    waves_total = serializers.IntegerField()
    current_wave = serializers.IntegerField(allow_null=True)
    waves = WaveFillSerializer(many=True)


class DayRevenueSerializer(serializers.Serializer):
    date = serializers.DateField()
    revenue = Money(help_text="Выручка за вычетом возвратов.")
    refunds = Money(help_text="Возвраты по заказам этого дня.")
    orders_count = serializers.IntegerField()
    paid_orders_count = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    currency = serializers.CharField()
    revenue = Money(
        help_text="Сумма оплаченных заказов (paid, processing, shipped, delivered) после скидок, за вычетом возвратов."
    )
    refunds_total = Money(help_text="Возвращено покупателям по заказам периода (выполненные возвраты).")
    orders_count = serializers.IntegerField(help_text="Заказов создано за период.")
    paid_orders_count = serializers.IntegerField(help_text="Из них оплачено и не возвращено.")
    average_check = Money()
    conversion_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, help_text="Оплаченные / созданные, в процентах."
    )
    discount_total = Money(help_text="Скидки в оплаченных заказах.")
    orders_by_status = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Заказов по статусам: pending, paid, processing, shipped, delivered, cancelled, refunded.",
    )
    top_products_by_units = TopProductSerializer(many=True)
    top_products_by_revenue = TopProductSerializer(many=True)
    promo_codes = PromoUsageSerializer()
    preorder_waves = ProductWaveFillSerializer(many=True)
    revenue_by_day = DayRevenueSerializer(many=True)
