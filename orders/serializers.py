"""Orders in and out of the API. Input is only checked for shape here; the rules live in orders.services."""

from datetime import date

from django.conf import settings
from rest_framework import serializers

from catalog.serializers import ITEM_LIST_ERRORS, ItemInputSerializer
from delivery.models import DeliveryMethod
from delivery.selectors import delivery_tracking_url
from orders.models import Order, OrderItem, OrderRefund, OrderRefundLine, OrderStatus
from preorders.models import PreorderStatus


# --- Input ----------------------------------------------------------------------------------------------------------
class OrderCreateSerializer(serializers.Serializer):
    items = ItemInputSerializer(
        many=True, allow_empty=False, max_length=settings.ORDER_MAX_LINES, error_messages=ITEM_LIST_ERRORS
    )
    promo_code = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True)
    personal_data_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Согласие на обработку персональных данных (152-ФЗ): нужно, пока у аккаунта нет согласия "
        "(иначе 400 `consent_required`); с согласием не нужно.",
    )
    delivery_address = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    cdek_point = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Не указан — выводится: `cdek_point` → пункт выдачи, иначе `delivery_address` → курьер.",
    )
    city = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Город курьерской доставки."
    )


class RefundItemInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="`id` позиции заказа.")
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class OrderRefundInputSerializer(serializers.Serializer):
    items = RefundItemInputSerializer(many=True, required=False, allow_empty=False, max_length=100)


class OrderUpdateSerializer(serializers.Serializer):
    """What staff change on an order: its status and/or tracking number."""

    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    tracking_number = serializers.CharField(max_length=64, required=False, allow_blank=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Укажите status или tracking_number.")
        return attrs


# --- Output -------------------------------------------------------------------------------------------------------
class OrderItemSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    preorder_wave = serializers.SerializerMethodField(help_text="Номер волны предзаказа или null.")
    ships_on = serializers.SerializerMethodField(help_text="Когда ожидается отправка волны (или null).")

    class Meta:
        model = OrderItem
        fields = [
            "id",
            "product",
            "product_name",
            "size",
            "quantity",
            "price",
            "discount_amount",
            "final_amount",
            "is_preorder",
            "preorder_wave",
            "ships_on",
        ]
        read_only_fields = fields

    def get_preorder_wave(self, item) -> int | None:
        return item.preorder_wave.wave_number if item.preorder_wave_id else None

    def get_ships_on(self, item) -> date | None:
        return item.preorder_wave.ships_on if item.preorder_wave_id else None


class PreorderStatusSerializer(serializers.ModelSerializer):
    wave = serializers.IntegerField(source="wave.wave_number", read_only=True)
    product = serializers.IntegerField(source="wave.product_id", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    message = serializers.CharField(source="status_message", read_only=True)

    class Meta:
        model = PreorderStatus
        fields = ["wave", "product", "status", "status_display", "message", "created_at"]
        read_only_fields = fields


class OrderRefundLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderRefundLine
        fields = ["item", "quantity", "amount"]
        read_only_fields = fields


class OrderRefundSerializer(serializers.ModelSerializer):
    lines = OrderRefundLineSerializer(many=True, read_only=True)

    class Meta:
        model = OrderRefund
        fields = [
            "id",
            "amount",
            "delivery_amount",
            "is_full",
            "restock",
            "status",
            "refund_id",
            "lines",
            "created_at",
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, read_only=True)
    refunds = OrderRefundSerializer(many=True, read_only=True)
    tracking_url = serializers.SerializerMethodField(help_text="Страница отслеживания СДЭК или пусто.")
    preorder_statuses = PreorderStatusSerializer(many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    promo_code = serializers.CharField(source="promo_code.code", read_only=True, default=None, allow_null=True)
    # Empty until the payment is created (or when there is nothing to pay), so no `uri` format in the schema.
    payment_url = serializers.CharField(read_only=True, help_text="Ссылка на оплату ЮKassa; пусто, пока её нет.")
    refunded_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="Сколько возвращено покупателю (выполненные возвраты).",
    )
    net_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="Оплачено за вычетом возвратов (0 для неоплаченного заказа).",
    )

    class Meta:
        model = Order
        fields = [
            "order_number",
            "status",
            "status_display",
            "payment_status",
            "tracking_number",
            "total_amount",
            "discount_amount",
            "delivery_amount",
            "final_amount",
            "refunded_amount",
            "net_amount",
            "promo_code",
            "delivery_method",
            "delivery_city",
            "delivery_address",
            "cdek_point",
            "cdek_point_name",
            "cdek_point_address",
            "tracking_url",
            "items",
            "refunds",
            "preorder_statuses",
            "payment_url",
            "created_at",
            "pay_by",
            "paid_at",
            "shipped_at",
        ]
        read_only_fields = fields

    def get_tracking_url(self, order) -> str:
        return delivery_tracking_url(tracking_number=order.tracking_number) if order.tracking_number else ""


class PaymentUrlSerializer(serializers.Serializer):
    payment_url = serializers.URLField()
