"""The shopping cart: in the session for visitors, in `CartItem` rows for signed-in customers.

A cart holds only what the customer chose (product, size, quantity). Prices are read from the products each time
it is shown; the order's amounts are decided by `orders.services.order_place`, never by the cart.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from catalog.models import ONE_SIZE, Product
from catalog.selectors import ItemRequest
from shop.models import CartItem
from shop.selectors import FEW_LEFT, product_units_available

SESSION_KEY = "cart"
PROMO_SESSION_KEY = "cart_promo_code"


@dataclass
class CartLine(ItemRequest):
    """An item in the cart: what `order_place` takes, plus its key in the cart."""

    @property
    def key(self) -> str:
        return _key(self.product.pk, self.size)

    @property
    def title(self) -> str:
        """«Худи «Базовое» чёрное, M» (no size for a product that has none)."""
        return self.product.name if self.size == ONE_SIZE else f"{self.product.name}, {self.size}"

    @property
    def few_left(self) -> int | None:
        """Units the shop has of this size when they are few («осталось 2»), else None."""
        units = product_units_available(self.product).get(self.size, 0)
        return units if 0 < units <= FEW_LEFT else None


@dataclass(frozen=True)
class CartAdjustment:
    """A line the cart changed because the shop has fewer units than it held: `quantity` 0 means removed."""

    title: str
    was: int
    quantity: int
    limit: int | None = None  # the product's `max_per_customer`, when that is what capped the line

    @property
    def message(self) -> str:
        if self.limit is not None:
            rule = f"не больше {self.limit} шт. в одни руки"
            if self.quantity == 0:
                return f"{self.title}: {rule}, больше заказать нельзя — убрали из корзины."
            return f"{self.title}: {rule}, количество уменьшено с {self.was} до {self.quantity}."
        if self.quantity == 0:
            return f"{self.title}: закончился, убрали из корзины."
        return f"{self.title}: осталось {self.quantity} шт., количество уменьшено с {self.was} до {self.quantity}."


def _key(product_id: int, size: str) -> str:
    return f"{product_id}:{size}"


def _split(key: str) -> tuple[int, str]:
    product_id, size = key.split(":", 1)
    return int(product_id), size


def _max_quantity() -> int:
    return settings.ORDER_MAX_LINE_QUANTITY


class Cart:
    """The current visitor's cart. Quantities are kept within 1…ORDER_MAX_LINE_QUANTITY per line."""

    def __init__(self, request):
        self.session = request.session
        user = getattr(request, "user", None)
        self.user = user if user is not None and user.is_authenticated else None
        self._lines: list[CartLine] | None = None

    # --- storage ------------------------------------------------------------------------------------------------
    def _items(self) -> dict[str, int]:
        if self.user is not None:
            return {
                _key(pid, size): qty
                for pid, size, qty in self._rows().values_list("product_id", "size", "quantity")
            }
        stored = self.session.get(SESSION_KEY)
        return dict(stored) if isinstance(stored, dict) else {}

    def _rows(self):
        return CartItem.objects.filter(user=self.user)

    def _store(self, product_id: int, size: str, quantity: int) -> None:
        self._lines = None
        if self.user is not None:
            CartItem.objects.update_or_create(
                user=self.user, product_id=product_id, size=size, defaults={"quantity": quantity}
            )
            return
        items = self._items()
        items[_key(product_id, size)] = quantity
        self.session[SESSION_KEY] = items

    def _delete(self, product_id: int, size: str) -> None:
        self._lines = None
        if self.user is not None:
            self._rows().filter(product_id=product_id, size=size).delete()
            return
        items = self._items()
        items.pop(_key(product_id, size), None)
        self.session[SESSION_KEY] = items

    # --- changes ------------------------------------------------------------------------------------------------
    def add(self, *, product: Product, size: str, quantity: int) -> int:
        """Add units of one size; returns the line's new quantity (capped at the per-line maximum)."""
        current = self._items().get(_key(product.pk, size), 0)
        new_quantity = min(current + quantity, _max_quantity())
        self._store(product.pk, size, new_quantity)
        return new_quantity

    def set_quantity(self, *, product_id: int, size: str, quantity: int) -> bool:
        """Change the quantity of a line that is in the cart; False when there is no such line."""
        if _key(product_id, size) not in self._items():
            return False
        self._store(product_id, size, min(quantity, _max_quantity()))
        return True

    def remove(self, *, product_id: int, size: str) -> None:
        self._delete(product_id, size)

    def clear(self) -> None:
        self._lines = None
        if self.user is not None:
            self._rows().delete()
        self.session.pop(SESSION_KEY, None)
        self.session.pop(PROMO_SESSION_KEY, None)

    # --- promo code chosen in the cart --------------------------------------------------------------------------
    @property
    def promo_code(self) -> str:
        return self.session.get(PROMO_SESSION_KEY, "")

    @promo_code.setter
    def promo_code(self, code: str) -> None:
        if code:
            self.session[PROMO_SESSION_KEY] = code
        else:
            self.session.pop(PROMO_SESSION_KEY, None)

    # --- reads --------------------------------------------------------------------------------------------------
    def lines(self) -> list[CartLine]:
        """The lines with their products (one query for any number of lines); lines of products that were
        hidden or lost that size meanwhile are dropped."""
        if self._lines is None:
            items = self._items()
            wanted = {_split(key) for key in items}
            products = (
                Product.objects.visible()
                .prefetch_related("media", "stock", "waves")
                .in_bulk({pid for pid, _ in wanted})
            )
            lines = []
            for key, quantity in items.items():
                product_id, size = _split(key)
                product = products.get(product_id)
                if product is None or size not in product.size_labels:
                    self._delete(product_id, size)
                    continue
                lines.append(CartLine(product=product, size=size, quantity=quantity))
            self._lines = lines
        return self._lines

    def fit_to_stock(self) -> list[CartAdjustment]:
        """Bring each line within the units the shop has now; what changed, for the customer to read.

        Stock is not held by a cart: this only saves a surprise at checkout (`order_place` decides). Lines of one
        preorder product share the room left in its waves, in the order they were added.
        """
        adjustments = []
        left: dict[int, dict[str, int]] = {}
        for line in list(self.lines()):
            available = left.setdefault(line.product.pk, product_units_available(line.product))
            units = available.get(line.size, 0)
            if line.quantity <= units:
                fitted = line.quantity
            else:
                fitted = units
                adjustments.append(CartAdjustment(title=line.title, was=line.quantity, quantity=fitted))
                if fitted:
                    self._store(line.product.pk, line.size, fitted)
                else:
                    self._delete(line.product.pk, line.size)
            if line.product.is_preorder:
                for size in available:
                    available[size] -= fitted
            else:
                available[line.size] = units - fitted
        return adjustments

    def fit_to_limits(self, limits: dict[int, tuple[int, int]]) -> list[CartAdjustment]:
        """Bring the lines of capped products within what the customer may still buy: `limits` maps a product id
        to (its `max_per_customer`, the units left for this customer, `orders.services.order_quote`). Lines of
        one product share what is left, in the order they were added."""
        adjustments = []
        left = {product_id: available for product_id, (_, available) in limits.items()}
        for line in list(self.lines()):
            if line.product.pk not in left:
                continue
            fitted = min(line.quantity, left[line.product.pk])
            left[line.product.pk] -= fitted
            if fitted == line.quantity:
                continue
            limit = limits[line.product.pk][0]
            adjustments.append(CartAdjustment(title=line.title, was=line.quantity, quantity=fitted, limit=limit))
            if fitted:
                self._store(line.product.pk, line.size, fitted)
            else:
                self._delete(line.product.pk, line.size)
        return adjustments

    def __len__(self) -> int:
        return sum(self._items().values())

    def __bool__(self) -> bool:
        return bool(self._items())

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines()), Decimal("0.00"))

    def order_items(self) -> list[dict]:
        """The items in the shape `order_place` and `order_preview` take."""
        return [{"product": line.product, "size": line.size, "quantity": line.quantity} for line in self.lines()]


@transaction.atomic
def cart_join_account(*, session, user) -> None:
    """Move a visitor's session cart into the account's cart on sign-in; the same line adds up."""
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict) or not stored:
        return
    existing = {(row.product_id, row.size): row for row in CartItem.objects.select_for_update().filter(user=user)}
    valid_ids = set(
        Product.objects.visible().filter(pk__in={_split(k)[0] for k in stored}).values_list("pk", flat=True)
    )
    for key, quantity in stored.items():
        product_id, size = _split(key)
        if product_id not in valid_ids or int(quantity) < 1:
            continue
        row = existing.get((product_id, size))
        if row is None:
            CartItem.objects.create(
                user=user, product_id=product_id, size=size, quantity=min(int(quantity), _max_quantity())
            )
        else:
            row.quantity = min(row.quantity + int(quantity), _max_quantity())
            row.save(update_fields=["quantity", "updated_at"])
    session.pop(SESSION_KEY, None)
