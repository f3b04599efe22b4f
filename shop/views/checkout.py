"""Checkout: delivery details and the promo code, then on to pay."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from accounts.consents import ConsentAct, consent_for_checkout, consent_on_record
from accounts.models import ConsentSource
from accounts.services import PhoneNotVerified
from config.errors import DomainError
from config.money import amount_final
from delivery.models import DeliveryMethod
from delivery.selectors import delivery_points
from orders.models import Order
from orders.selectors import order_for_checkout
from orders.services import order_buyer_check, order_delivery_choose, order_payment_retry, order_place
from shop.cart import Cart
from shop.forms import CheckoutForm, form_refusal
from shop.views.cart import _cart_fit, _cart_summary


@login_required(login_url=reverse_lazy("shop:login"))
@require_http_methods(["GET", "POST"])
def checkout(request):
    """Delivery details and the promo code; «Перейти к оплате» places the order and sends the customer to pay."""
    user = request.user
    if request.method == "POST":
        # A repeated submit of a checkout that already placed its order (the cart is empty by now) goes on to pay.
        placed = order_for_checkout(user=user, checkout_key=str(request.POST.get("checkout_token", ""))[:64])
        if placed is not None:
            return _order_pay_redirect(request, placed)
    cart = Cart(request)
    if request.method == "GET":
        _cart_fit(request, cart)
    if not cart.lines():
        messages.info(request, "Корзина пуста: выберите что-нибудь в каталоге.")
        return redirect("shop:cart")
    line_refusals: dict[str, str] = {}
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        order, line_refusals = _checkout_submit(request, cart, form)
        if order is not None:
            cart.clear()
            return _order_pay_redirect(request, order)
    else:
        form = _checkout_form_new(request, cart)
    return _checkout_page(request, cart, form, line_refusals)


def _checkout_submit(request, cart: Cart, form: CheckoutForm) -> tuple[Order | None, dict[str, str]]:
    """A submitted checkout: «Применить» only tries the promo code; «Перейти к оплате» records the consent and
    places the order. Returns the placed order, or none and the refusals by cart line (the form has its own)."""
    if not form.is_valid():
        return None, {}
    data = form.cleaned_data
    if request.POST.get("action") == "preview":
        # «Применить»: show the totals with the typed code; the order is placed only by «Перейти к оплате».
        _, refusal = _cart_summary(cart, data["promo_code"])
        if refusal:
            form.add_error("promo_code", refusal)
        else:
            cart.promo_code = data["promo_code"]
        return None, {}
    try:
        consent_for_checkout(
            user=request.user,
            given=data["personal_data_consent"],
            act=ConsentAct.from_request(request, source=ConsentSource.CHECKOUT),
        )
        order = order_place(
            user=request.user,
            items=cart.order_items(),
            promo_code=data["promo_code"] or None,
            delivery_method=data["delivery_method"],
            delivery_address=data["delivery_address"].strip(),
            cdek_point=data["cdek_point"].strip(),
            city=data["city"].strip(),
            checkout_key=data["checkout_token"],
        )
    except DomainError as refusal:
        form_refusal(form, refusal)
        return None, _refused_lines(cart, refusal)
    return order, {}


def _checkout_form_new(request, cart: Cart) -> CheckoutForm:
    """A fresh checkout: the profile's delivery details, the cart's promo code and a new checkout token."""
    return CheckoutForm(
        initial={
            "delivery_address": request.user.address,
            "cdek_point": request.user.cdek_point,
            "city": request.GET.get("city", "")[:100],
            "promo_code": cart.promo_code,
            "checkout_token": uuid.uuid4().hex,
        }
    )


def _checkout_page(request, cart: Cart, form: CheckoutForm, line_refusals: dict[str, str]):
    """The checkout page: the cart's lines (each with its refusal, if any), the totals with the code and the
    delivery chosen so far."""
    user = request.user
    code = (form.data.get("promo_code") or "").strip().upper() if form.is_bound else cart.promo_code
    summary, refusal = _cart_summary(cart, code)
    context = {
        "form": form,
        "lines": cart.lines(),
        "summary_lines": [(line, line_refusals.get(line.key, "")) for line in cart.lines()],
        "phone_unverified": _phone_unverified(user, cart),
        "consent_needed": not consent_on_record(user=user),
        "summary": summary,
        "promo_refusal": refusal,
        "promo_code": code,
        **_checkout_delivery(cart, form, summary),
    }
    return render(request, "shop/checkout.html", context)


def _refused_lines(cart: Cart, refusal: DomainError) -> dict[str, str]:
    """The cart lines a refusal of `order_place` names (over a per-customer cap, short of stock or wave places),
    by their key: the summary shows the refusal beside each, with a button that removes the line."""
    products = {refusal.extra.get("product")} if refusal.extra.get("product") else set()
    sizes = {(line.get("product"), line.get("size")) for line in refusal.extra.get("lines") or ()}
    return {
        line.key: refusal.message
        for line in cart.lines()
        if line.product.pk in products or (line.product.pk, line.size) in sizes
    }


def _phone_unverified(user, cart: Cart) -> bool:
    """Whether the cart holds what only a verified buyer may order: the page then offers the code at once."""
    try:
        order_buyer_check(user=user, items=cart.lines())
    except PhoneNotVerified:
        return True
    return False


def _checkout_delivery(cart: Cart, form: CheckoutForm, summary: dict) -> dict:
    """The pickup points of the chosen city and the delivery price of what is chosen so far, added to the totals.

    Reads only: the price is the one `order_place` will charge (`order_delivery_choose`); nothing here is trusted.
    """
    value = (
        (lambda name: (form.data.get(name) or "").strip())
        if form.is_bound
        else (lambda name: form.initial.get(name) or "")
    )
    city, method = value("city")[:100], value("delivery_method")
    points, points_error = [], ""
    if city:
        try:
            points = delivery_points(city=city)
        except DomainError as refusal:
            points_error = refusal.message
    delivery, delivery_error = None, ""
    if method or value("cdek_point") or value("delivery_address"):
        try:
            delivery = order_delivery_choose(
                items=cart.order_items(),
                method=method if method in DeliveryMethod.values else "",
                address=value("delivery_address")[:1000],
                cdek_point=value("cdek_point")[:255],
                city=city,
            )
        except DomainError as refusal:
            delivery_error = refusal.message
    if delivery is not None:
        summary["delivery_amount"] = delivery.amount
        summary["final_amount"] = amount_final(
            total=summary["total_amount"], discount=summary["discount_amount"], delivery=delivery.amount
        )
    return {
        "points": points,
        "points_error": points_error,
        "chosen_point": value("cdek_point").upper(),
        "delivery": delivery,
        "delivery_error": delivery_error,
        "map_key": settings.YANDEX_MAPS_API_KEY,
    }


def _order_pay_redirect(request, order: Order):
    """Send the customer of a just-placed order to YooKassa: the link the worker made, else one made now (short
    timeout, circuit breaker). If YooKassa is not answering, the order waits on its page, payable later."""
    order.refresh_from_db()
    if order.status != order.Status.PENDING:
        return redirect(order.get_absolute_url())
    payment_url = order.payment_url
    if not payment_url:
        try:
            payment_url = order_payment_retry(order=order)
        except DomainError:
            payment_url = ""
    if not payment_url:
        messages.warning(
            request, "Заказ оформлен, но платёжный сервис сейчас не отвечает. Оплатите заказ здесь чуть позже."
        )
        return redirect(order.get_absolute_url())
    return redirect(payment_url)
