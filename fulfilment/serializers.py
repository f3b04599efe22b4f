"""Output of the fulfilment endpoints (input is the order number in the path)."""

from rest_framework import serializers

from fulfilment.selectors import return_customer_instructions
from orders.models import RefundStatus
from orders.serializers import OrderSerializer


class ShipmentOrderSerializer(OrderSerializer):
    """The order as `orders/{n}/` shows it, with its CDEK shipment."""

    cdek_number = serializers.SerializerMethodField()
    shipment_state = serializers.SerializerMethodField()
    shipment_errors = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "cdek_number", "shipment_state", "shipment_errors"]
        read_only_fields = fields

    def _shipment(self, order):
        return self.context.get("shipment")

    def get_cdek_number(self, order) -> str:
        shipment = self._shipment(order)
        return shipment.cdek_number if shipment else ""

    def get_shipment_state(self, order) -> str:
        shipment = self._shipment(order)
        return shipment.state if shipment else ""

    def get_shipment_errors(self, order) -> list[dict]:
        shipment = self._shipment(order)
        return list(shipment.errors) if shipment else []


class ReturnItemInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, help_text="`id` позиции заказа")
    quantity = serializers.IntegerField(min_value=1, max_value=1000)


class ReturnInputSerializer(serializers.Serializer):
    items = ReturnItemInputSerializer(many=True, allow_empty=False, max_length=100)
    reason = serializers.CharField(max_length=1000, help_text="Почему товар возвращается")


class ReturnLineSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id")
    quantity = serializers.IntegerField()


class ReturnRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    reason = serializers.CharField()
    staff_comment = serializers.CharField()
    instructions = serializers.SerializerMethodField()
    items = ReturnLineSerializer(source="lines.all", many=True)
    refund_amount = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_instructions(self, request) -> str:
        return return_customer_instructions(request)

    def get_refund_amount(self, request) -> str | None:
        refund = request.refund
        return str(refund.amount) if refund is not None and refund.status == RefundStatus.SUCCEEDED else None
