"""The catalog, the product page with its waitlist, and a drop's waiting room."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import ONE_SIZE, Product
from config.client_ip import client_ip
from config.errors import DomainError
from drops.serializers import QueuePlaceSerializer
from drops.services import PlaceStatus, queue_join, queue_place
from preorders.services import waitlist_join
from shop import page_cache, selectors
from shop.cart import Cart
from shop.forms import (
    AddToCartForm,
    CatalogFilterForm,
    WaitlistForm,
    form_refusal,
)

CATALOG_PAGE_SIZE = 12


@require_GET
def catalog(request):
    if page_cache.page_is_shared(request):
        return page_cache.shared_page(
            request,
            versions=page_cache.catalog_versions(),
            render=lambda csrf_token: (_catalog_render(request, csrf_token=csrf_token), True),
            params=[*CatalogFilterForm.base_fields, "page"],
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
        "draw": selectors.product_draw_state(product),
        "sold_out_sizes": selectors.product_sold_out_sizes(product),
        "waves": list(product.waves.all()) if product.is_preorder else [],
        "orderable": selectors.product_is_orderable(product) and drop.buy_allowed and not product.is_draw,
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
    return bool(
        product.queue_enabled
        or product.is_draw  # entries open and close with the clock
        or (product.sale_starts_at and product.sale_starts_at > timezone.now())
    )


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
            form_refusal(form, refusal)
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
    if (
        place is not None
        and place.status == PlaceStatus.ADMITTED
        and request.method == "GET"
        and "stay" not in request.GET
    ):
        messages.success(request, "Ваша очередь подошла: выберите размер и оформите заказ.")
        return redirect(product.get_absolute_url())
    drop = selectors.product_drop_state(product, user=None)
    context = {
        "product": product,
        "place": place,
        "drop": drop,
        "refusal": refusal,
        "phone_unverified": not request.user.phone_verified,
        "admission_minutes": settings.QUEUE_ADMISSION_MINUTES,
    }
    return render(request, "shop/queue.html", context)
