from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from catalog.models import Product
from orders.models import Order
from pages.models import Page


def catalog(request):
    products = Product.objects.visible().prefetch_related("media")[:48]
    return render(request, "shop/catalog.html", {"products": products})


def product_detail(request, key):
    products = Product.objects.visible().prefetch_related("media", "stock", "waves")
    product = get_object_or_404(products, pk=int(key)) if key.isdigit() else get_object_or_404(products, slug=key)
    return render(request, "shop/product.html", {"product": product})


@login_required
def order_detail(request, number):
    order = get_object_or_404(Order.objects.prefetch_related("items__product"), order_number=number)
    if order.user_id != request.user.pk and not request.user.is_staff:
        raise Http404
    return render(request, "shop/order.html", {"order": order})


def page_detail(request, slug):
    page = get_object_or_404(Page, slug=slug, is_published=True)
    return render(request, "shop/page.html", {"page": page})
