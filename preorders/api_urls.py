from django.urls import path

from preorders.api import ProductWaitlistView

urlpatterns = [path("products/<int:pk>/waitlist/", ProductWaitlistView.as_view(), name="product-waitlist")]
