"""Catalog reads: every list owns its prefetches, so its query count does not grow with its length."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Aggregate, JSONField, OuterRef, Prefetch, QuerySet, Subquery

from catalog.errors import InvalidQuantity, InvalidSize, ItemsInvalid, ProductUnavailable
from catalog.models import Product, ProductMedia, ProductStock


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
        "waves",  # in wave order (the wave model's own ordering)
    )


def product_get(*, pk: int, user=None) -> Product:
    """One product: staff reach hidden and archived ones too (to edit or restore them)."""
    return product_list(user=user, include_hidden=True).get(pk=pk)


# Anything larger is no database id: refused as unknown instead of overflowing the database integer.
_MAX_ID = 2**63 - 1


# --- Items of a cart or an order  -------------------------------------------------------------------------------------------------
@dataclass
class ItemRequest:
    """One checked item of a cart or an order: a visible product, one of its sizes, a sane whole quantity."""

    product: Product
    size: str
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return self.product.price * self.quantity


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _item_parse(item, *, max_quantity: int) -> tuple[int, str, int]:
    """(product id, size, quantity) of one item as sent, or the refusal of what makes no sense."""
    if not isinstance(item, dict):
        raise ItemsInvalid("Строка заказа заполнена неверно.")
    product = item.get("product")
    product_id = product.pk if isinstance(product, Product) else _whole_number(product)
    if product_id is None or not 1 <= product_id <= _MAX_ID:
        raise ProductUnavailable("Такого товара нет.", product=str(product))
    size = item.get("size")
    if size is None:
        size = ""
    if isinstance(size, int | float) and not isinstance(size, bool):
        size = str(size)
    if not isinstance(size, str):
        raise InvalidSize("Выберите размер.", product=product_id)
    quantity = _whole_number(item.get("quantity"))
    if quantity is None or not 1 <= quantity <= max_quantity:
        raise InvalidQuantity(f"Количество должно быть целым числом от 1 до {max_quantity}.", product=product_id)
    return product_id, size.strip(), quantity


def _item_size(product: Product, size: str) -> str:
    """The size asked for, one of the product's own (a product with one size needs none named)."""
    labels = product.size_labels
    if not size and len(labels) == 1:
        return labels[0]
    if not size:
        raise InvalidSize(f"Выберите размер товара «{product.name}».", product=product.pk, sizes=labels)
    if size not in labels:
        raise InvalidSize(f"У товара «{product.name}» нет размера {size}.", product=product.pk, sizes=labels)
    return size


def items_resolve(*, items) -> list[ItemRequest]:
    """Check the items of a cart or an order and read their products (prices come from the database only).

    Products must be visible and the size one of `product.size_labels` (it may be left out for a product with a
    single size); a quantity is a whole number from 1 to `ORDER_MAX_LINE_QUANTITY`; at most `ORDER_MAX_LINES`
    items. Items naming the same product and size are merged.
    """
    if not isinstance(items, list | tuple) or not items:
        raise ItemsInvalid("В заказе нет товаров.", code="empty_order")
    max_lines = settings.ORDER_MAX_LINES
    max_quantity = settings.ORDER_MAX_LINE_QUANTITY
    if len(items) > max_lines:
        raise ItemsInvalid(f"Не больше {max_lines} позиций в заказе.", code="too_many_lines")
    parsed = [_item_parse(item, max_quantity=max_quantity) for item in items]

    products = Product.objects.visible().filter(pk__in={product_id for product_id, _, _ in parsed})
    by_id = {product.pk: product for product in products}
    missing = sorted({product_id for product_id, _, _ in parsed if product_id not in by_id})
    if missing:
        raise ProductUnavailable(
            "Товар недоступен для заказа." if len(missing) == 1 else "Некоторые товары недоступны для заказа.",
            product=missing[0],
            products=missing,
        )
    merged: dict[tuple[int, str], int] = {}
    for product_id, size, quantity in parsed:
        size = _item_size(by_id[product_id], size)
        key = (product_id, size)
        merged[key] = merged.get(key, 0) + quantity
        if merged[key] > max_quantity:
            raise InvalidQuantity(f"Не больше {max_quantity} шт. одного размера в заказе.", product=product_id)
    return [
        ItemRequest(product=by_id[product_id], size=size, quantity=q) for (product_id, size), q in merged.items()
    ]
