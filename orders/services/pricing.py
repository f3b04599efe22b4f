"""What an order costs, line by line: the one place the shop prices items (placing and every preview).

The goods' total comes from database prices; a promo code's discount is spread over the lines it applies to
(`promos.services.promo_discount_lines`, largest remainder to the kopeck); delivery is added after it and is
never discounted. Each order line keeps its share (`OrderItem.discount_amount`, `final_amount`), so receipts,
refunds, settlement receipts and reports read the stored amounts and never share a discount out again.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from catalog.selectors import ItemRequest
from config.money import ZERO, amount_final, from_kopecks, kopecks, money, split_by_largest_remainder
from promos.models import PromoCode
from promos.services import promo_discount_lines


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
