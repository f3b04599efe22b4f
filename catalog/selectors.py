"""Catalog reads: every list owns its prefetches, so its query count does not grow with its length."""

from django.db.models import Aggregate, JSONField, OuterRef, Prefetch, QuerySet, Subquery

from catalog.models import Product, ProductMedia, ProductStock
from preorders.models import PreorderWave


class StockBySize(Aggregate):
    """A product's stock rows as one JSON object `{size: quantity}` (SQLite and PostgreSQL spell it differently)."""

    function = "JSON_GROUP_OBJECT"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_OBJECT_AGG", **extra_context)


def _stock_by_size():
    rows = ProductStock.objects.filter(product=OuterRef("pk")).order_by().values("product")
    return Subquery(
        rows.annotate(counts=StockBySize("size", "quantity")).values("counts"), output_field=JSONField()
    )


def product_list(*, user=None, include_hidden: bool = False) -> QuerySet[Product]:
    """Products with stock (read in the same query), media and waves (one query each).

    Customers and anonymous visitors get visible products only; staff may ask for hidden and archived ones too.
    """
    if include_hidden and user is not None and user.is_staff:
        queryset = Product.objects.all()
    else:
        queryset = Product.objects.visible()
    return queryset.annotate(stock_by_size=_stock_by_size()).prefetch_related(
        Prefetch("media", queryset=ProductMedia.objects.order_by("position", "id")),
        Prefetch("waves", queryset=PreorderWave.objects.order_by("wave_number")),
    )


def product_get(*, pk: int, user=None) -> Product:
    """One product: staff reach hidden and archived ones too (to edit or restore them)."""
    return product_list(user=user, include_hidden=True).get(pk=pk)
