from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("products/<str:key>/", views.product_detail, name="product"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("pages/<slug:slug>/", views.page_detail, name="page"),
]
