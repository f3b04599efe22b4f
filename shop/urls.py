from django.urls import path

from shop.views import account, auth, cart, catalog, checkout, draws, orders, pages, personal_data

app_name = "shop"

urlpatterns = [
    path("", catalog.catalog, name="catalog"),
    path("products/<str:key>/", catalog.product_detail, name="product"),
    path("products/<str:key>/waitlist/", catalog.product_waitlist, name="waitlist"),
    path("products/<str:key>/queue/", catalog.product_queue, name="queue"),
    path("products/<str:key>/draw/", draws.product_draw, name="draw"),
    path("products/<str:key>/draw/fairness/", draws.product_draw_fairness, name="draw_fairness"),
    path("cart/", cart.cart_detail, name="cart"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("orders/<str:number>/", orders.order_detail, name="order"),
    path("orders/<str:number>/pay/", orders.order_pay, name="order_pay"),
    path("orders/<str:number>/cancel/", orders.order_cancel_view, name="order_cancel"),
    path("orders/<str:number>/repeat/", orders.order_repeat, name="order_repeat"),
    path("orders/<str:number>/returns/", orders.order_returns_view, name="order_returns"),
    path("register/", auth.register, name="register"),
    path("login/", auth.login_view, name="login"),
    path("login/sms/", auth.login_sms, name="login_sms"),
    path("password/reset/", auth.password_reset, name="password_reset"),
    path("logout/", auth.logout_view, name="logout"),
    path("account/", account.account, name="account"),
    path("account/phone/", auth.phone_confirm, name="phone_confirm"),
    path("account/data/", personal_data.account_data, name="account_data"),
    path("account/delete/", personal_data.account_delete, name="account_delete"),
    path("pages/<slug:slug>/", pages.page_detail, name="page"),
]
