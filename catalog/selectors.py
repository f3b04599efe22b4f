"""Catalog reads: every list owns its prefetches, so its query count does not grow with its length."""

from django.db.models import Prefetch, QuerySet

from catalog.models import Product, ProductMedia, ProductStock
from preorders.models import PreorderWave


def product_list(*, user=None) -> QuerySet[Product]:
    """Products a user may see, with stock, media and waves loaded in one query each.

    Customers and anonymous visitors see visible products only; staff see every product, archived ones too,
    so they can edit and restore them.
    """
    queryset = Product.objects.all() if user is not None and user.is_staff else Product.objects.visible()
    return queryset.prefetch_related(
        Prefetch("stock", queryset=ProductStock.objects.order_by("id")),
        Prefetch("media", queryset=ProductMedia.objects.order_by("position", "id")),
        Prefetch("waves", queryset=PreorderWave.objects.order_by("wave_number")),
    )


def product_get(*, pk: int, user=None) -> Product:
    return product_list(user=user).get(pk=pk)
