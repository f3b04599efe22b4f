"""The customer's profile and orders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.services import user_update_profile
from orders.selectors import order_list_for
from shop.forms import ProfileForm


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """The customer's profile and their orders with preorder timelines."""
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=user, data=form.cleaned_data)
        messages.success(request, "Профиль сохранён.")
        return redirect("shop:account")
    if form.is_bound:
        user.refresh_from_db()
    orders = order_list_for(user=user)
    return render(request, "shop/account.html", {"form": form, "orders": orders})
