from django.urls import path
from rest_framework.routers import SimpleRouter

from orders.api import OrderViewSet, PromoCodeValidateView
from orders.draws_api import ProductDrawResultsView, ProductDrawView
from orders.webhooks import YooKassaNotificationView

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")

urlpatterns: list = [
    path("promo-codes/validate/", PromoCodeValidateView.as_view(), name="promo-code-validate"),
    path("payments/yookassa/notifications/", YooKassaNotificationView.as_view(), name="yookassa-notifications"),
    path("products/<int:pk>/draw/", ProductDrawView.as_view(), name="product-draw"),
    path("products/<int:pk>/draw/results/", ProductDrawResultsView.as_view(), name="product-draw-results"),
    *router.urls,
]
