from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("products/<str:key>/", views.product_detail, name="product"),
    path("products/<str:key>/waitlist/", views.product_waitlist, name="waitlist"),
    path("products/<str:key>/queue/", views.product_queue, name="queue"),
    path("cart/", views.cart_detail, name="cart"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/pay/", views.order_pay, name="order_pay"),
    path("orders/<str:number>/cancel/", views.order_cancel_view, name="order_cancel"),
    path("orders/<str:number>/repeat/", views.order_repeat, name="order_repeat"),
    path("register/", views.register, name="register"),
    path("login/", views.login_view, name="login"),
    path("login/sms/", views.login_sms, name="login_sms"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("logout/", views.logout_view, name="logout"),
    path("account/", views.account, name="account"),
    path("pages/<slug:slug>/", views.page_detail, name="page"),
]
