from django.urls import path

from drops.api import ProductQueueView

urlpatterns = [path("products/<int:pk>/queue/", ProductQueueView.as_view(), name="product-queue")]
