"""Promo code rules: which code applies, how much it takes off, and counting its uses."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q
from django.utils import timezone

from config.errors import DomainError
from orders.selectors import OrderLine, order_lines_resolve
from promos.models import PromoCode

KOPECK = Decimal("0.01")


class PromoCodeRejected(DomainError):
    """A code that cannot be applied; `code` says why (`promo_unknown`, `promo_expired`, `promo_used_up`…)."""

    code = "promo_invalid"
    default_message = "Промокод не подходит."


_REFUSALS = {
    "promo_unknown": "Такого промокода нет.",
    "promo_inactive": "Промокод больше не действует.",
    "promo_not_started": "Промокод ещё не начал действовать.",
    "promo_expired": "Срок действия промокода истёк.",
    "promo_used_up": "Промокод уже использован максимальное число раз.",
    "promo_not_applicable": "Промокод не действует на товары в корзине.",
}


def _refuse(code: str) -> PromoCodeRejected:
    return PromoCodeRejected(_REFUSALS[code], code=code)


# --- Applying a code (orders) ---------------------------------------------------------------------------------
def promo_find(*, code: str, now=None) -> PromoCode:
    """The code a customer typed (any case, spaces around ignored), if it may be used right now."""
    code = (code or "").strip() if isinstance(code, str) else ""
    promo = PromoCode.objects.filter(code__iexact=code).first() if code else None
    if promo is None:
        raise _refuse("promo_unknown")
    now = now or timezone.now()
    if not promo.is_active:
        raise _refuse("promo_inactive")
    if promo.valid_from and now < promo.valid_from:
        raise _refuse("promo_not_started")
    if promo.valid_until and now >= promo.valid_until:
        raise _refuse("promo_expired")
    if promo.max_uses is not None and promo.current_uses >= promo.max_uses:
        raise _refuse("promo_used_up")
    return promo


def promo_discount(*, promo: PromoCode, lines: list[OrderLine]) -> Decimal:
    """What the code takes off these lines.

    A restricted code discounts only the lines of its products (refused when there are none). A percent rounds
    half up to the kopeck; a fixed sum is capped by the eligible lines' sum, so no total goes below zero.
    """
    product_ids = set(promo.products.values_list("pk", flat=True))
    eligible = [line for line in lines if not product_ids or line.product.pk in product_ids]
    if not eligible:
        raise _refuse("promo_not_applicable")
    eligible_sum = sum((line.line_total for line in eligible), Decimal("0"))
    if promo.discount_percent is not None:
        discount = (eligible_sum * promo.discount_percent / Decimal(100)).quantize(KOPECK, rounding=ROUND_HALF_UP)
    else:
        discount = promo.discount_amount or Decimal("0")
    return max(min(discount, eligible_sum), Decimal("0")).quantize(KOPECK)


def promo_use(*, promo: PromoCode) -> None:
    """Count one use; refused when the last one has gone. The conditional update keeps uses ≤ max_uses."""
    counted = (
        PromoCode.objects.filter(pk=promo.pk)
        .filter(Q(max_uses__isnull=True) | Q(current_uses__lt=F("max_uses")))
        .update(current_uses=F("current_uses") + 1)
    )
    if not counted:
        raise _refuse("promo_used_up")
    promo.current_uses += 1


def promo_release(*, promo_id: int) -> None:
    """Give back the use of a cancelled unpaid order."""
    PromoCode.objects.filter(pk=promo_id, current_uses__gt=0).update(current_uses=F("current_uses") - 1)


def promo_preview(*, code: str, lines) -> dict:
    """What a code would do to a cart, without counting a use: `{valid, discount_amount, total_amount,
    final_amount}`. Raises `PromoCodeRejected` saying why not (and the order errors for bad lines)."""
    resolved = order_lines_resolve(lines=lines)
    promo = promo_find(code=code)
    total = sum((line.line_total for line in resolved), Decimal("0")).quantize(KOPECK)
    discount = promo_discount(promo=promo, lines=resolved)
    return {
        "valid": True,
        "code": promo.code,
        "discount_amount": discount,
        "total_amount": total,
        "final_amount": total - discount,
    }


# --- Generation (staff) ----------------------------------------------------------------------------------------
