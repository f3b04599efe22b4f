"""What an order costs, line by line, and whether the shop accepts it: the one place that decides, for
`order_place` and for every preview (the cart, the checkout summary, `promo-codes/validate/`).

`order_quote` prices the items for a customer and names what would be refused: a promo code's per-customer
terms (a first-order code, `max_uses_per_customer`) and each capped product's room left (`max_per_customer`),
counted over the customer's live orders. `order_place` calls it under the customer's lock and raises the
refusals; previews call it without a lock (through `order_preview`) and show them, so a preview never promises
what checkout refuses.

The goods' total comes from database prices; a promo code's discount is spread over the lines it applies to
(`promos.services.promo_discount_lines`, largest remainder to the kopeck); delivery is added after it and is
never discounted. Each order line keeps its share (`OrderItem.discount_amount`, `final_amount`), so receipts,
refunds, settlement receipts and reports read the stored amounts and never share a discount out again.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from catalog.models import Product
from catalog.selectors import ItemRequest, items_resolve
from config.money import ZERO, amount_final, from_kopecks, kopecks, money, split_by_largest_remainder
from drops.errors import CustomerLimitExceeded
from orders.models import Order, OrderItem, OrderStatus
from promos.models import PromoCode
from promos.services import (
    PromoCodeRejected,
    promo_customer_check,
    promo_customer_needs_check,
    promo_discount_lines,
    promo_find,
)


@dataclass(frozen=True)
class Pricing:
    """The amounts of an order: totals, and each item's share of the discount (in the items' order)."""

    total: Decimal
    discount: Decimal
    delivery: Decimal = ZERO
    line_discounts: tuple[Decimal, ...] = field(default=())

    @property
    def final(self) -> Decimal:
        return amount_final(total=self.total, discount=self.discount, delivery=self.delivery)


def items_price(*, items: list[ItemRequest], promo: PromoCode | None, delivery: Decimal = ZERO) -> Pricing:
    """Price `items` with `promo` (refused with `PromoCodeRejected` when it applies to none of them)."""
    total = money(sum((item.line_total for item in items), ZERO))
    shares = promo_discount_lines(promo=promo, lines=items) if promo else [ZERO] * len(items)
    return Pricing(
        total=total, discount=money(sum(shares, ZERO)), delivery=money(delivery), line_discounts=tuple(shares)
    )


def discount_split(*, discount: Decimal, quantities: list[int]) -> list[Decimal]:
    """An item's discount over the order lines it was written as (a preorder item split over waves), in
    proportion to their units, by the same largest remainder."""
    return [from_kopecks(share) for share in split_by_largest_remainder(kopecks(discount), quantities)]


# --- What the shop would accept -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerLimit:
    """A capped product: its `max_per_customer` and the units this customer may still take."""

    product: Product
    limit: int
    available: int

    def refusal(self) -> CustomerLimitExceeded:
        left = self.available
        more = f"можно заказать ещё {left} шт." if left else "больше заказать нельзя"
        return CustomerLimitExceeded(
            f"«{self.product.name}» — не больше {self.limit} шт. в одни руки: {more}",
            available=left,
            product=self.product.pk,
            limit=self.limit,
        )


@dataclass
class Quote:
    """What the items cost this customer and what would be refused."""

    items: list[ItemRequest]
    pricing: Pricing
    promo: PromoCode | None = None  # the code as applied (None when there is none or it is refused)
    promo_refusal: PromoCodeRejected | None = None
    limits: dict[int, CustomerLimit] = field(default_factory=dict)  # capped products by id

    def units_of(self, product_id: int) -> int:
        return sum(item.quantity for item in self.items if item.product.pk == product_id)

    @property
    def over_limit(self) -> list[CustomerLimit]:
        """The capped products of which the items ask more than the customer may still take."""
        return [limit for pk, limit in self.limits.items() if self.units_of(pk) > limit.available]

    def check(self) -> None:
        """Raise what the shop refuses: a product over its cap first, then the promo code."""
        for limit in self.over_limit:
            raise limit.refusal()
        if self.promo_refusal is not None:
            raise self.promo_refusal


def _customer_counts(*, user, items: list[ItemRequest], promo: PromoCode | None) -> dict[int, CustomerLimit]:
    """Each capped product's room left for the customer, and the code's per-customer terms checked (raises
    `PromoCodeRejected`): one count per kind, none when nothing is capped."""
    capped = {item.product.pk: item.product for item in items if item.product.max_per_customer is not None}
    limits = {}
    if capped:
        held = dict(
            OrderItem.objects.filter(order__user=user, order__status__in=OrderStatus.LIVE, product_id__in=capped)
            .values("product_id")
            .annotate(units=Sum("quantity"))
            .values_list("product_id", "units")
        )
        for pk, product in capped.items():
            left = max(product.max_per_customer - held.get(pk, 0), 0)
            limits[pk] = CustomerLimit(product=product, limit=product.max_per_customer, available=left)
    if promo_customer_needs_check(promo):
        counts = Order.objects.filter(user=user, status__in=OrderStatus.LIVE).aggregate(
            live=Count("pk"), with_code=Count("pk", filter=Q(promo_code=promo))
        )
        promo_customer_check(promo=promo, live_orders=counts["live"], live_orders_with_code=counts["with_code"])
    return limits


def order_quote(
    *,
    user,
    items: list[ItemRequest],
    promo: PromoCode | None,
    promo_refusal: PromoCodeRejected | None = None,
    delivery: Decimal = ZERO,
) -> Quote:
    """Price `items` for `user` (anonymous: no per-customer terms yet) with `promo`, naming what the shop would
    refuse: the code's per-customer terms or its products (then priced without it), capped products over what
    the customer may still take. `order_place` calls it under the customer's lock."""
    limits = {}
    if user is not None and getattr(user, "is_authenticated", False):
        try:
            limits = _customer_counts(user=user, items=items, promo=promo)
        except PromoCodeRejected as refusal:
            promo, promo_refusal = None, refusal
            limits = _customer_counts(user=user, items=items, promo=None)
    try:
        pricing = items_price(items=items, promo=promo, delivery=delivery)
    except PromoCodeRejected as refusal:
        promo, promo_refusal = None, refusal
        pricing = items_price(items=items, promo=None, delivery=delivery)
    return Quote(items=items, pricing=pricing, promo=promo, promo_refusal=promo_refusal, limits=limits)


def order_preview(*, user, items: list[dict], promo_code: str = "") -> Quote:
    """`order_quote` for a cart or checkout not placed yet: the typed code looked up (a code that cannot be used
    at all is the refusal). Bad items raise as `order_place` would."""
    resolved = items_resolve(items=items)
    promo, refusal = None, None
    code = (promo_code or "").strip() if isinstance(promo_code, str) else ""
    if code:
        try:
            promo = promo_find(code=code)
        except PromoCodeRejected as error:
            refusal = error
    return order_quote(user=user, items=resolved, promo=promo, promo_refusal=refusal)


def order_promo_validate(*, user, code: str, items: list[dict]) -> dict:
    """`POST promo-codes/validate/`: what the code does to these items for this customer (signed in or not):
    `{valid, promo_code, discount_amount, total_amount, final_amount}`, or `valid: false` with the refusal's
    `code` and `detail` and the undiscounted totals."""
    quote = order_preview(user=user, items=items, promo_code=code)
    pricing = quote.pricing
    answer = {"discount_amount": pricing.discount, "total_amount": pricing.total, "final_amount": pricing.final}
    if quote.promo_refusal is not None:
        refusal = quote.promo_refusal
        return {"valid": False, "code": refusal.code, "detail": refusal.message, **answer}
    return {"valid": True, "promo_code": quote.promo.code, **answer}
