"""A customer's personal data (152-FZ): download it all as JSON, delete the account with a code by SMS."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.personal_data import user_data_export, user_delete
from shop.views.auth import own_phone_code_step


@login_required
@require_GET
def account_data(request):
    body = json.dumps(user_data_export(user=request.user), ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dwc-my-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """«Удалить аккаунт»: a code by SMS to the account's phone, then the deletion (anonymised; orders stay)."""
    step = own_phone_code_step(
        request, action="delete", act=lambda code: user_delete(user=request.user, code=code)
    )
    if step.done:
        logout(request)
        messages.success(request, "Аккаунт удалён. Заказы и чеки сохранены без ваших имени, телефона и адреса.")
        return redirect("shop:catalog")
    return render(request, "shop/account_delete.html", step.context())
