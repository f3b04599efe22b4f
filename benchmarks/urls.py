from django.urls import path

from benchmarks.floor import floor, order_floor
from config.urls import urlpatterns as shop_urlpatterns

urlpatterns = [
    path("bench/floor/<int:size>/", floor),
    path("bench/order-floor/<int:product_id>/", order_floor),
    *shop_urlpatterns,
]
