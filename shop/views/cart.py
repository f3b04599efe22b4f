"""The cart page, and the cart summary the checkout shows too."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from config.errors import DomainError
from orders.services import order_preview
from shop.cart import Cart
from shop.forms import (
    CartLineForm,
    CartRemoveForm,
    PromoCodeForm,
)


def _cart_summary(cart: Cart, code: str) -> tuple[dict, str]:
    """The cart's totals as checkout will charge this customer (`order_preview`, the rule `order_place` applies):
    the code's discount when it applies to them, none beside a refusal; the second value is why it does not."""
    total = cart.total
    summary = {"total_amount": total, "discount_amount": 0, "final_amount": total}
    if not cart:
        return summary, ""
    try:
        quote = order_preview(user=cart.user, items=cart.order_items(), promo_code=code or "")
    except DomainError as refusal:
        return summary, refusal.message if code else ""
    pricing = quote.pricing
    summary = {"total_amount": pricing.total, "discount_amount": pricing.discount, "final_amount": pricing.final}
    return summary, quote.promo_refusal.message if quote.promo_refusal else ""


def _cart_fit(request, cart: Cart) -> None:
    """The cart within the stock the shop has now and within what the customer may still buy of a capped
    product, and a word about each line it changed."""
    adjustments = cart.fit_to_stock()
    if cart.user is not None and any(line.product.max_per_customer is not None for line in cart.lines()):
        try:
            quote = order_preview(user=cart.user, items=cart.order_items())
        except DomainError:
            quote = None
        if quote is not None:
            limits = {pk: (limit.limit, limit.available) for pk, limit in quote.limits.items()}
            adjustments += cart.fit_to_limits(limits)
    for adjustment in adjustments:
        messages.warning(request, adjustment.message)


@require_http_methods(["GET", "POST"])
def cart_detail(request):
    """The cart: change a quantity, remove a line, try a promo code."""
    cart = Cart(request)
    promo_form = PromoCodeForm(initial={"promo_code": cart.promo_code})
    if request.method == "GET":
        _cart_fit(request, cart)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "update":
            form = CartLineForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                cart.set_quantity(product_id=data["product"], size=data["size"], quantity=data["quantity"])
                return redirect("shop:cart")
            messages.error(request, " ".join(form.errors.get("quantity", ["Не удалось изменить количество."])))
            return redirect("shop:cart")
        if action == "remove":
            form = CartRemoveForm(request.POST)
            if form.is_valid():
                cart.remove(product_id=form.cleaned_data["product"], size=form.cleaned_data["size"])
                messages.info(request, "Товар убран из корзины.")
            # Removed beside a refusal at checkout: the customer goes on with the rest of the order.
            return redirect("shop:checkout" if request.POST.get("next") == "checkout" and cart else "shop:cart")
        if action == "promo_remove":
            cart.promo_code = ""
            return redirect("shop:cart")
        if action == "promo":
            promo_form = PromoCodeForm(request.POST)
            if promo_form.is_valid():
                code = promo_form.cleaned_data["promo_code"]
                _, refusal = _cart_summary(cart, code)
                if not refusal:
                    cart.promo_code = code
                    messages.success(request, f"Промокод {code} применён.")
                    return redirect("shop:cart")
                promo_form.add_error("promo_code", refusal)
    summary, refusal = _cart_summary(cart, cart.promo_code)
    if refusal and promo_form.is_bound is False:
        promo_form = PromoCodeForm(initial={"promo_code": cart.promo_code})
    context = {
        "cart": cart,
        "lines": cart.lines(),
        "summary": summary,
        "promo_form": promo_form,
        "promo_code": cart.promo_code if not refusal else "",
        "promo_refusal": refusal,
    }
    return render(request, "shop/cart.html", context)
