from django.urls import path
from rest_framework.routers import SimpleRouter

from orders.api import OrderViewSet
from orders.webhooks import YooKassaNotificationView

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")

urlpatterns: list = [
    path("payments/yookassa/notifications/", YooKassaNotificationView.as_view(), name="yookassa-notifications"),
    *router.urls,
]
