"""A draw on the storefront: the entry page (size, delivery, the hold on YooKassa's page, withdrawing, the
result) and the page that explains how anyone recomputes the winners."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import DomainError
from drops import draws as rules
from orders import services as order_services
from shop import selectors
from shop.forms import DrawEntryForm


def _draw_product(key):
    product = selectors.product_for_page(key=key)
    if not product.is_draw:
        raise Http404("Этот товар не разыгрывается")
    return product


@login_required
@require_http_methods(["GET", "POST"])
def product_draw(request, key):
    """Enter (POST `enter`), withdraw (POST `cancel`), or see where the entry stands (GET, also the return from
    YooKassa's page: the payment is read back there)."""
    product = _draw_product(key)
    form = DrawEntryForm(sizes=product.size_labels, initial={"delivery_address": request.user.address})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                entry = rules.draw_entry_of(product_id=product.pk, user=request.user)
                if entry is not None:
                    order_services.draw_entry_cancel(entry=entry)
                    messages.success(request, "Участие отменено, деньги разморожены.")
                return redirect("shop:draw", key=product.slug)
            form = DrawEntryForm(request.POST, sizes=product.size_labels)
            if form.is_valid():
                entry = order_services.draw_enter(product=product, user=request.user, **form.cleaned_data)
                if entry.payment_url:
                    return redirect(entry.payment_url)
                messages.warning(request, "ЮKassa сейчас не отвечает: заявка сохранена, оплатите её чуть позже.")
                return redirect("shop:draw", key=product.slug)
        except DomainError as refusal:
            form.add_error(None, refusal.message)
    entry = rules.draw_entry_of(product_id=product.pk, user=request.user)
    if entry is not None:
        entry = order_services.draw_entry_refresh(entry=entry)
    state = order_services.draw_state_read(product=product)
    context = {
        "product": product,
        "draw": state,
        "entry": entry,
        "form": form,
        "phone_unverified": not request.user.phone_verified,
    }
    return render(request, "shop/draw.html", context)


@require_GET
def product_draw_fairness(request, key):
    """How the draw is checked: the seed's hash before, the seed and the entries after, and how to recompute."""
    product = _draw_product(key)
    draw = rules.draw_for(product=product)
    context = {
        "product": product,
        "draw": rules.draw_state(product=product, draw=draw),
        **rules.draw_public(draw=draw),
    }
    return render(request, "shop/draw_fairness.html", context)
