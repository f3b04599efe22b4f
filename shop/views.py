"""Storefront pages. Views read through selectors, write through services, and only translate refusals
into messages next to the fields; no shop rule is decided here.

A form with errors comes back with status 200, as browsers expect of a page a person reads (a 4xx document is
logged by the browser as a failed resource).
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.services import (
    AccountDisabled,
    PhoneTaken,
    SmsCodeRejected,
    sms_code_send,
    user_password_reset,
    user_register,
    user_remember_delivery,
    user_sign_in_by_code,
    user_update_profile,
)
from accounts.sms_limits import SmsLimitReached
from accounts.throttles import register_attempt_allowed
from catalog.models import ONE_SIZE, Product
from config.client_ip import client_ip
from config.errors import DomainError
from config.russian import plural
from delivery.models import DeliveryMethod
from delivery.selectors import delivery_points, delivery_tracking_url
from drops.serializers import QueuePlaceSerializer
from drops.services import queue_join, queue_place
from orders.models import Order
from orders.selectors import order_for_checkout, order_get_for, order_list_for
from orders.services import order_cancel, order_delivery_choose, order_payment_retry, order_place
from preorders.services import waitlist_join
from promos.services import promo_preview
from shop import page_cache, selectors
from shop.cart import Cart
from shop.forms import (
    AddToCartForm,
    CartLineForm,
    CartRemoveForm,
    CatalogFilterForm,
    CheckoutForm,
    LoginForm,
    PasswordResetForm,
    ProfileForm,
    PromoCodeForm,
    RegisterForm,
    SmsCodeRequestForm,
    SmsSignInForm,
    WaitlistForm,
)

CATALOG_PAGE_SIZE = 12


# --- Catalog and product -------------------------------------------------------------------------------------------
@require_GET
def catalog(request):
    if page_cache.page_is_shared(request):
        return page_cache.shared_page(
            request,
            versions=page_cache.catalog_versions(),
            render=lambda csrf_token: (_catalog_render(request, csrf_token=csrf_token), True),
        )
    return _catalog_render(request)


def _catalog_render(request, **extra):
    form = CatalogFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    products = selectors.catalog_products(**form.filters())
    page = Paginator(products, CATALOG_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "products": page.object_list, **extra}
    return render(request, "shop/catalog.html", context)


def _product_context(product: Product, *, cart_form=None, waitlist_form=None, user=None) -> dict:
    size_choices = selectors.product_size_choices(product)
    if cart_form is None:
        cart_form = AddToCartForm(size_choices=size_choices)
    if waitlist_form is None:
        initial = {"phone": user.phone} if user is not None and user.is_authenticated else None
        waitlist_form = WaitlistForm(initial=initial)
    drop = selectors.product_drop_state(product, user=user)
    return {
        "product": product,
        "media": list(product.media.all()),
        "size_choices": size_choices,
        "drop": drop,
        "sold_out_sizes": selectors.product_sold_out_sizes(product),
        "waves": list(product.waves.all()) if product.is_preorder else [],
        "orderable": selectors.product_is_orderable(product) and drop.buy_allowed,
        "wave": selectors.product_wave_progress(product),
        "form": cart_form,
        "waitlist_form": waitlist_form,
    }


@require_http_methods(["GET", "POST"])
def product_detail(request, key):
    """The product page; its form adds the chosen size to the cart."""
    if page_cache.page_is_shared(request):
        return _product_detail_shared(request, key)
    product = selectors.product_for_page(key=key)
    if request.method == "POST":
        form = AddToCartForm(request.POST, size_choices=selectors.product_size_choices(product))
        if form.is_valid():
            cart, size = Cart(request), form.cleaned_data["size"]
            in_cart = cart.add(product=product, size=size, quantity=form.cleaned_data["quantity"])
            title = product.name if size == ONE_SIZE else f"{product.name}, {size}"
            available = selectors.product_units_available(product).get(size, 0)
            if in_cart > available:
                cart.set_quantity(product_id=product.pk, size=size, quantity=available)
                messages.warning(request, f"{title}: осталось только {available} шт. — столько и лежит в корзине.")
            else:
                messages.success(request, f"В корзине: {title} — {in_cart} шт.")
            return redirect("shop:cart")
        context = _product_context(product, cart_form=form, user=request.user)
        return render(request, "shop/product.html", context)
    return render(request, "shop/product.html", _product_context(product, user=request.user))


def _drop_page_changes_with_time(product) -> bool:
    return bool(product.queue_enabled or (product.sale_starts_at and product.sale_starts_at > timezone.now()))


def _product_detail_shared(request, key):
    """The product page of a visitor without a session, stored per version of the product."""
    product_id = page_cache.product_page_product_id(key)
    known = None
    if product_id is None:
        known = selectors.product_for_page(key=key)
        product_id = known.pk
        page_cache.product_page_remember(key, product_id)

    def render_page(csrf_token):
        product = known or selectors.product_for_page(key=key)
        # Rows read before the versions are not stored (they may be older than the tokens); nor is the page of a
        # slug that now names another product: it is remembered for the next visitor.
        # A drop's page changes with the clock (countdown, queue opening), not only with its rows: never stored.
        storable = known is None and product.pk == product_id and not _drop_page_changes_with_time(product)
        if product.pk != product_id:
            page_cache.product_page_remember(key, product.pk)
        context = {**_product_context(product), "csrf_token": csrf_token}
        return render(request, "shop/product.html", context), storable

    return page_cache.shared_page(request, versions=page_cache.product_versions(product_id), render=render_page)


@require_POST
def product_waitlist(request, key):
    product = selectors.product_for_page(key=key)
    form = WaitlistForm(request.POST)
    if form.is_valid():
        user = request.user if request.user.is_authenticated else None
        try:
            entry = waitlist_join(
                product=product, phone=form.cleaned_data["phone"], size=form.cleaned_data["size"], user=user
            )
        except DomainError as refusal:
            form.add_error("size" if refusal.code == "invalid_size" else None, refusal.message)
        else:
            if entry.size:
                messages.success(request, f"Готово: пришлём SMS, когда размер {entry.size} снова появится.")
            else:
                messages.success(request, "Готово: пришлём SMS, когда откроется новая волна.")
            return redirect(product.get_absolute_url())
    context = _product_context(product, waitlist_form=form, user=request.user)
    return render(request, "shop/product.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def product_queue(request, key):
    """The waiting room of a drop: take a place (POST), watch it move; JSON for the page's own refreshes."""
    product = selectors.product_for_page(key=key)
    if not product.has_queue:
        return redirect(product.get_absolute_url())
    refusal = None
    if request.method == "POST":
        try:
            queue_join(product=product, user=request.user, ip=client_ip(request) or None)
        except DomainError as error:
            refusal = error.message
        else:
            return redirect("shop:queue", key=product.slug)
    place = queue_place(product_id=product.pk, user=request.user, token=request.GET.get("token", ""))
    if "application/json" in request.headers.get("Accept", ""):
        if place is None:
            return JsonResponse({"detail": "Вы ещё не в очереди.", "code": "queue_no_place"}, status=404)
        return JsonResponse(QueuePlaceSerializer(place.as_dict()).data)
    if place is not None and place.status == "admitted" and request.method == "GET" and "stay" not in request.GET:
        messages.success(request, "Ваша очередь подошла: выберите размер и оформите заказ.")
        return redirect(product.get_absolute_url())
    drop = selectors.product_drop_state(product, user=None)
    context = {
        "product": product,
        "place": place,
        "drop": drop,
        "refusal": refusal,
        "admission_minutes": settings.QUEUE_ADMISSION_MINUTES,
    }
    return render(request, "shop/queue.html", context)


# --- Cart ----------------------------------------------------------------------------------------------------------
def _cart_summary(cart: Cart, code: str) -> tuple[dict, str]:
    """The cart's totals, with the promo code's discount when it applies; the second value is why it does not."""
    total = cart.total
    summary = {"total_amount": total, "discount_amount": 0, "final_amount": total}
    if not code or not cart:
        return summary, ""
    try:
        preview = promo_preview(code=code, lines=cart.order_items())
    except DomainError as refusal:
        return summary, refusal.message
    return {key: preview[key] for key in summary}, ""


def _cart_fit(request, cart: Cart) -> None:
    """The cart within the stock the shop has now, and a word about each line it changed."""
    for adjustment in cart.fit_to_stock():
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
            return redirect("shop:cart")
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


# --- Checkout and orders -------------------------------------------------------------------------------------------
def _order_or_404(request, number: str) -> Order:
    """The order for its owner or staff; for anyone else it does not exist."""
    try:
        return order_get_for(user=request.user, number=number)
    except Order.DoesNotExist as missing:
        raise Http404("Заказ не найден") from missing


# Checkout's first step for a visitor is the sign-in page: sign in, or register (one link away), and come back.
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
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid() and request.POST.get("action") == "preview":
            # «Применить»: show the totals with the typed code; the order is placed only by «Перейти к оплате».
            _, refusal = _cart_summary(cart, form.cleaned_data["promo_code"])
            if refusal:
                form.add_error("promo_code", refusal)
            else:
                cart.promo_code = form.cleaned_data["promo_code"]
        elif form.is_valid():
            data = form.cleaned_data
            try:
                order = order_place(
                    user=user,
                    items=cart.order_items(),
                    promo_code=data["promo_code"] or None,
                    delivery_method=data["delivery_method"],
                    delivery_address=data["delivery_address"].strip(),
                    cdek_point=data["cdek_point"].strip(),
                    city=data["city"].strip(),
                    checkout_key=data["checkout_token"],
                )
            except DomainError as refusal:
                field = "promo_code" if refusal.code.startswith("promo_") else None
                field = "cdek_point" if refusal.code == "cdek_point_unknown" else field
                field = "city" if refusal.code == "city_unknown" else field
                form.add_error(field, refusal.message)
            else:
                cart.clear()
                user_remember_delivery(user=user, address=order.delivery_address, cdek_point=order.cdek_point)
                return _order_pay_redirect(request, order)
    else:
        form = CheckoutForm(
            initial={
                "delivery_address": user.address,
                "cdek_point": user.cdek_point,
                "city": request.GET.get("city", "")[:100],
                "promo_code": cart.promo_code,
                "checkout_token": uuid.uuid4().hex,
            }
        )
    code = (form.data.get("promo_code") or "").strip().upper() if form.is_bound else cart.promo_code
    summary, refusal = _cart_summary(cart, code)
    context = {
        "form": form,
        "lines": cart.lines(),
        "summary": summary,
        "promo_refusal": refusal,
        "promo_code": code,
        **_checkout_delivery(cart, form, summary),
    }
    return render(request, "shop/checkout.html", context)


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
        summary["final_amount"] = summary["final_amount"] + delivery.amount
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
    }
    return render(request, "shop/order.html", context)


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


# --- Account -------------------------------------------------------------------------------------------------------
def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


REGISTER_LIMIT_MESSAGE = "Слишком много попыток регистрации с вашего адреса. Попробуйте позже."
# The same words whether the number is taken or the password is wrong for it: the page does not confirm accounts.
REGISTER_REFUSED_MESSAGE = (
    "Не удалось зарегистрироваться с этим номером. Если номер ваш, войдите с верным паролем или по коду из SMS."
)


@require_http_methods(["GET", "POST"])
def register(request):
    next_url = _next_url(request, reverse("shop:account"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not register_attempt_allowed(ip=client_ip(request)):
            form.add_error(None, REGISTER_LIMIT_MESSAGE)
            return render(request, "registration/register.html", {"form": form, "next": next_url})
        try:
            user = user_register(phone=data["phone"], password=data["password"], full_name=data["full_name"])
        except PhoneTaken:
            # Signing up with a taken number is a sign-in attempt, held to the same limits: the right password
            # signs its owner in, a wrong one counts as a failed sign-in.
            sign_in = LoginForm({"phone": data["phone"], "password": data["password"]}, request=request)
            if sign_in.is_valid():
                login(request, sign_in.user)
                return redirect(next_url)
            form.add_error(None, REGISTER_REFUSED_MESSAGE)
        except ValidationError as error:
            # The service names the field itself ({"password": [...]}) or gives bare password messages.
            form.add_error(None if hasattr(error, "error_dict") else "password", error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Добро пожаловать в DWC!")
            return redirect(next_url)
    return render(request, "registration/register.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = _next_url(request, reverse("shop:account"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = LoginForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        return redirect(next_url)
    return render(request, "registration/login.html", {"form": form, "next": next_url})


def _sms_code_step(request, code_form_class):
    """The shared first step of signing in and resetting by code: send a code to the phone, then ask for it.

    Returns the form to show and whether it is the code step. A code asked for again within the minute is not
    an error: the one already sent still works, and the page says when another may be sent.
    """
    if request.method != "POST":
        return SmsCodeRequestForm(), False
    if request.POST.get("action") != "send":
        return code_form_class(request.POST), True
    form = SmsCodeRequestForm(request.POST)
    if not form.is_valid():
        return form, False
    phone = form.cleaned_data["phone"]
    try:
        sms_code_send(phone=phone, address=client_ip(request))
    except SmsLimitReached as refusal:
        if refusal.code != "sms_too_soon":
            form.add_error("phone", refusal.message)
            return form, False
        messages.info(request, f"Код уже отправлен. Новый можно запросить через {refusal.retry_after} с.")
    return code_form_class(initial={"phone": phone}), True


@require_http_methods(["GET", "POST"])
def login_sms(request):
    """Sign in, or register, with a code from SMS."""
    next_url = _next_url(request, reverse("shop:account"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form, code_step = _sms_code_step(request, SmsSignInForm)
    if code_step and form.is_bound and form.is_valid():
        try:
            user, created = user_sign_in_by_code(**form.cleaned_data)
        except SmsCodeRejected as refusal:
            form.add_error("code", refusal.message)
        except AccountDisabled as refusal:
            form.add_error(None, refusal.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Добро пожаловать в DWC!" if created else "Вы вошли.")
            return redirect(next_url)
    context = {"form": form, "code_step": code_step, "next": next_url, "phone": _form_phone(form)}
    return render(request, "registration/login_sms.html", context)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """«Забыли пароль?»: a code from SMS, then a new password; the customer is signed in with it."""
    next_url = _next_url(request, reverse("shop:account"))
    form, code_step = _sms_code_step(request, PasswordResetForm)
    if code_step and form.is_bound and form.is_valid():
        try:
            user = user_password_reset(**form.cleaned_data)
        except SmsCodeRejected as refusal:
            form.add_error("code", refusal.message)
        except ValidationError as error:
            form.add_error(None if hasattr(error, "error_dict") else "password", error)
        else:
            if user.is_active:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Пароль изменён.")
            return redirect(next_url if user.is_active else reverse("shop:login"))
    context = {"form": form, "code_step": code_step, "next": next_url, "phone": _form_phone(form)}
    return render(request, "registration/password_reset.html", context)


def _form_phone(form) -> str:
    if form.is_bound:
        return (getattr(form, "cleaned_data", None) or {}).get("phone") or form.data.get("phone", "")
    return form.initial.get("phone", "")


@require_POST
def logout_view(request):
    logout(request)
    return redirect("shop:catalog")


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


# --- CMS pages -----------------------------------------------------------------------------------------------------
@require_GET
def page_detail(request, slug):
    return render(request, "shop/page.html", {"page": selectors.page_published(slug=slug)})
