"""Output of the fulfilment endpoints (input is the order number in the path)."""

from rest_framework import serializers

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
