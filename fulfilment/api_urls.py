from rest_framework.routers import SimpleRouter

from fulfilment.api import OrderShipmentViewSet

router = SimpleRouter()
router.register("orders", OrderShipmentViewSet, basename="order-shipment")

urlpatterns: list = [*router.urls]
