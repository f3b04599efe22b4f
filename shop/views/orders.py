"""A customer's order page and what can be done to an order from it."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from config.errors import DomainError
from config.russian import plural
from delivery.selectors import delivery_tracking_url
from fulfilment.models import ReturnStatus
from fulfilment.selectors import order_returns, return_open_until
from fulfilment.services import return_lines, return_request
from orders.models import Order
from orders.selectors import order_get_for
from orders.services import order_cancel, order_payment_retry
from shop import selectors
from shop.cart import Cart
from shop.forms import ReturnForm


def _order_or_404(request, number: str) -> Order:
    """The order for its owner or staff; for anyone else it does not exist."""
    try:
        return order_get_for(user=request.user, number=number)
    except Order.DoesNotExist as missing:
        raise Http404("Заказ не найден") from missing


@login_required
@require_GET
def order_detail(request, number):
    order = _order_or_404(request, number)
    context = {
        "order": order,
        "payment_timeout": settings.ORDER_PAYMENT_TIMEOUT,
        "tracking_url": delivery_tracking_url(tracking_number=order.tracking_number)
        if order.tracking_number
        else "",
        "returns": order_returns(order=order),
        "return_until": return_open_until(order=order),
    }
    return render(request, "shop/order.html", context)


@login_required
def order_returns_view(request, number):
    """«Вернуть товар»: the lines of a delivered order, how many of each to send back, and why."""
    order = _order_or_404(request, number)
    lines = return_lines(order)
    form = ReturnForm(request.POST or None)
    chosen = {line.item.pk: 0 for line in lines}
    error = ""
    if request.method == "POST":
        for line in lines:
            raw = (request.POST.get(f"quantity_{line.item.pk}") or "0").strip()
            chosen[line.item.pk] = int(raw) if raw.isdigit() and len(raw) < 5 else 0
        if form.is_valid():
            try:
                return_request(
                    order=order,
                    user=request.user,
                    items=[(pk, units) for pk, units in chosen.items() if units],
                    reason=form.reason_text(),
                )
            except DomainError as refusal:
                error = refusal.message
            else:
                messages.success(request, "Заявка на возврат отправлена. Ответим по SMS.")
                return redirect(order.get_absolute_url())
    context = {
        "order": order,
        "form": form,
        "rows": [(line, chosen.get(line.item.pk, 0), range(line.returnable + 1)) for line in lines],
        "return_until": return_open_until(order=order),
        "error": error,
        "returns": order_returns(order=order),
        "accepted": ReturnStatus.ACCEPTED,
    }
    return render(request, "shop/order_returns.html", context, status=400 if error else 200)


@login_required
@require_POST
def order_pay(request, number):
    """«Оплатить» again for a pending order whose payment failed or lapsed."""
    order = _order_or_404(request, number)
    try:
        payment_url = order_payment_retry(order=order)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect(order.get_absolute_url())
    if not payment_url:
        messages.error(request, "Платёжный сервис сейчас недоступен. Попробуйте ещё раз через минуту.")
        return redirect(order.get_absolute_url())
    return redirect(payment_url)


@login_required
@require_POST
def order_repeat(request, number):
    """«Повторить заказ»: the order's items back in the cart, as far as they are still available."""
    order = _order_or_404(request, number)
    cart = Cart(request)
    added, missing = 0, []
    for line in selectors.order_repeat_lines(order=order):
        if line.quantity:
            cart.add(product=line.product, size=line.size, quantity=line.quantity)
            added += line.quantity
        if line.quantity < line.wanted:
            left = f"осталось {line.quantity} шт." if line.quantity else "нет в наличии"
            missing.append(f"«{line.product.name}», размер {line.size} — {left}")
    if added:
        messages.success(request, f"В корзину добавлено: {added} {plural(added, 'товар', 'товара', 'товаров')}.")
    if missing:
        messages.warning(request, "Не всё удалось вернуть в корзину: " + "; ".join(missing) + ".")
    return redirect("shop:cart" if added else order.get_absolute_url())


@login_required
@require_POST
def order_cancel_view(request, number):
    order = _order_or_404(request, number)
    try:
        order_cancel(order=order, by=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.info(request, "Заказ отменён.")
    return redirect(order.get_absolute_url())
