from django.urls import path
from rest_framework.routers import SimpleRouter

from fulfilment.api import OrderReturnViewSet, OrderShipmentViewSet
from fulfilment.webhooks import CdekWebhookView

router = SimpleRouter()
router.register("orders", OrderShipmentViewSet, basename="order-shipment")
router.register("orders", OrderReturnViewSet, basename="order-returns")

urlpatterns: list = [
    path("delivery/cdek/webhook/", CdekWebhookView.as_view(), name="cdek-webhook"),
    *router.urls,
]
