from django.urls import path
from rest_framework.routers import SimpleRouter

from orders.api import OrderViewSet, PromoCodeValidateView
from orders.webhooks import YooKassaNotificationView

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")

urlpatterns: list = [
    path("promo-codes/validate/", PromoCodeValidateView.as_view(), name="promo-code-validate"),
    path("payments/yookassa/notifications/", YooKassaNotificationView.as_view(), name="yookassa-notifications"),
    *router.urls,
]
