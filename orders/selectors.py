"""Reads of orders: a customer's own orders with everything their pages show, and the lines of a cart."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from catalog.models import Product
from orders.errors import InvalidQuantity, InvalidSize, OrderInvalid, ProductUnavailable
from orders.models import Order, OrderItem
from preorders.models import PreorderStatus

# Anything larger is no database id: refused as unknown instead of overflowing the database integer.
_MAX_ID = 2**63 - 1


def order_queryset() -> QuerySet[Order]:
    """Orders with their items (product, wave) and preorder timeline, in a fixed number of queries."""
    return Order.objects.select_related("user", "promo_code").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.select_related("product", "preorder_wave").order_by("id")),
        Prefetch(
            "preorder_statuses",
            queryset=PreorderStatus.objects.select_related("wave").order_by("created_at", "id"),
        ),
    )


def order_list_for(*, user) -> QuerySet[Order]:
    """The user's own orders, newest first (staff too: the back office lists every order in the admin)."""
    if not user or not user.is_authenticated:
        return Order.objects.none()
    return order_queryset().filter(user=user).order_by("-created_at", "-id")


def order_get_for(*, user, number: str) -> Order:
    """One order by number, for its owner or staff; anyone else gets `Order.DoesNotExist` (a 404)."""
    if not user or not user.is_authenticated:
        raise Order.DoesNotExist
    orders = order_queryset()
    if not user.is_staff:
        orders = orders.filter(user=user)
    return orders.get(order_number=number)


# --- Cart lines -------------------------------------------------------------------------------------------------
@dataclass
class OrderLine:
    """One checked line of a cart: a visible product, one of its sizes, a sane whole quantity."""

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


def order_lines_resolve(*, lines) -> list[OrderLine]:
    """Check a cart's lines and read their products (prices come from the database, never from the client).

    Products must be visible and the size one of `product.size_labels` (it may be left out for a product with a
    single size); a quantity is a whole number from 1 to `ORDER_MAX_LINE_QUANTITY`; at most `ORDER_MAX_LINES`
    lines. Lines naming the same product and size are merged.
    """
    if not isinstance(lines, list | tuple) or not lines:
        raise OrderInvalid("В заказе нет товаров.", code="empty_order")
    max_lines = settings.ORDER_MAX_LINES
    max_quantity = settings.ORDER_MAX_LINE_QUANTITY
    if len(lines) > max_lines:
        raise OrderInvalid(f"Не больше {max_lines} позиций в заказе.", code="too_many_lines")
    parsed: list[tuple[int, str, int]] = []
    for line in lines:
        if not isinstance(line, dict):
            raise OrderInvalid("Строка заказа заполнена неверно.")
        product = line.get("product")
        product_id = product.pk if isinstance(product, Product) else _whole_number(product)
        if product_id is None or not 1 <= product_id <= _MAX_ID:
            raise ProductUnavailable("Такого товара нет.", product=str(product))
        size = line.get("size")
        if size is None:
            size = ""
        if isinstance(size, int | float) and not isinstance(size, bool):
            size = str(size)
        if not isinstance(size, str):
            raise InvalidSize("Выберите размер.", product=product_id)
        quantity = _whole_number(line.get("quantity"))
        if quantity is None or not 1 <= quantity <= max_quantity:
            raise InvalidQuantity(
                f"Количество должно быть целым числом от 1 до {max_quantity}.", product=product_id
            )
        parsed.append((product_id, size.strip(), quantity))

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
        product = by_id[product_id]
        labels = product.size_labels
        if not size and len(labels) == 1:
            size = labels[0]
        if not size:
            raise InvalidSize(f"Выберите размер товара «{product.name}».", product=product_id, sizes=labels)
        if size not in labels:
            raise InvalidSize(f"У товара «{product.name}» нет размера {size}.", product=product_id, sizes=labels)
        key = (product_id, size)
        merged[key] = merged.get(key, 0) + quantity
        if merged[key] > max_quantity:
            raise InvalidQuantity(f"Не больше {max_quantity} шт. одного размера в заказе.", product=product_id)
    return [
        OrderLine(product=by_id[product_id], size=size, quantity=q) for (product_id, size), q in merged.items()
    ]
