"""Promo code rules: which code applies, how much it takes off, and counting its uses."""

import copy
import re
import secrets
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from catalog.selectors import ItemRequest
from config.errors import ConflictError, DomainError
from config.money import ZERO, from_kopecks, kopecks, money, split_by_largest_remainder
from promos.models import PromoCode


class PromoCodeRejected(DomainError):
    """A code that cannot be applied; `code` says why (`promo_unknown`, `promo_expired`, `promo_used_up`…)."""

    code = "promo_invalid"
    default_message = "Промокод не подходит."


class PromoCodeInUse(ConflictError):
    code = "promo_in_use"
    default_message = "Промокод уже использован в заказах: его можно только выключить."


_REFUSALS = {
    "promo_unknown": "Такого промокода нет.",
    "promo_inactive": "Промокод больше не действует.",
    "promo_not_started": "Промокод ещё не начал действовать.",
    "promo_expired": "Срок действия промокода истёк.",
    "promo_used_up": "Промокод уже использован максимальное число раз.",
    "promo_not_applicable": "Промокод не действует на товары в корзине.",
    "promo_customer_limit": "Вы уже использовали этот промокод максимальное число раз.",
    "promo_first_order_only": "Промокод действует только на первый заказ.",
}


def _refuse(code: str) -> PromoCodeRejected:
    return PromoCodeRejected(_REFUSALS[code], code=code, field="promo_code")


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


def promo_discount_lines(*, promo: PromoCode, lines: list[ItemRequest]) -> list[Decimal]:
    """What the code takes off each line: the pricing rule of the shop, in one place.

    A restricted code discounts only the lines of its products (refused when there are none). A percent rounds
    half up to the kopeck; a fixed sum is capped by the eligible lines' sum, so no total goes below zero. The
    discount is spread over the eligible lines in proportion to their sums, by largest remainder
    (`split_by_largest_remainder`), so the lines' shares add up to it to the kopeck.
    """
    product_ids = set(promo.products.values_list("pk", flat=True))
    applies = [not product_ids or line.product.pk in product_ids for line in lines]
    if not any(applies):
        raise _refuse("promo_not_applicable")
    eligible_sum = sum((line.line_total for line, ok in zip(lines, applies, strict=True) if ok), Decimal("0"))
    if promo.discount_percent is not None:
        discount = money(eligible_sum * promo.discount_percent / Decimal(100))
    else:
        discount = promo.discount_amount or Decimal("0")
    discount = money(max(min(discount, eligible_sum), Decimal("0")))
    weights = [kopecks(line.line_total) if ok else 0 for line, ok in zip(lines, applies, strict=True)]
    return [from_kopecks(share) for share in split_by_largest_remainder(kopecks(discount), weights)]


def promo_discount(*, promo: PromoCode, lines: list[ItemRequest]) -> Decimal:
    """What the code takes off these lines altogether (see `promo_discount_lines`)."""
    return sum(promo_discount_lines(promo=promo, lines=lines), ZERO)


def promo_customer_needs_check(promo: PromoCode | None) -> bool:
    """Whether the code limits each customer (then the order counts the customer's orders under their lock)."""
    return promo is not None and (promo.first_order_only or promo.max_uses_per_customer is not None)


def promo_customer_check(*, promo: PromoCode, live_orders: int, live_orders_with_code: int) -> None:
    """Refuse a code the customer may not use: a first-order code once they have a live or completed order, a
    code they already used `max_uses_per_customer` times in live orders. The caller counts those orders while
    it holds the customer's lock, so concurrent orders of one customer are judged one after another."""
    if promo.first_order_only and live_orders > 0:
        raise _refuse("promo_first_order_only")
    if promo.max_uses_per_customer is not None and live_orders_with_code >= promo.max_uses_per_customer:
        raise _refuse("promo_customer_limit")


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


# --- Staff writes ---------------------------------------------------------------------------------------------
def _refuse_field(field: str, message: str, code: str) -> PromoCodeRejected:
    return PromoCodeRejected(message, code=code, field=field)


def promo_terms_check(*, promo: PromoCode) -> None:
    """Refuse terms the shop cannot keep: a percent xor a sum (1–100 %, above zero ₽), a window that ends after
    it starts, a limit no lower than the uses already counted. The error's `field` names the field at fault."""
    percent, amount = promo.discount_percent, promo.discount_amount
    if (percent is None) == (amount is None):
        raise _refuse_field(
            "discount_percent", "Укажите скидку в процентах или в рублях — что-то одно.", "promo_discount_invalid"
        )
    if percent is not None and not 1 <= percent <= 100:
        raise _refuse_field("discount_percent", "Процент скидки — от 1 до 100.", "promo_percent_invalid")
    if amount is not None and amount <= 0:
        raise _refuse_field("discount_amount", "Скидка в рублях должна быть больше нуля.", "promo_amount_invalid")
    if promo.valid_from and promo.valid_until and promo.valid_until <= promo.valid_from:
        raise _refuse_field("valid_until", "Окончание действия должно быть позже начала.", "promo_window_invalid")
    if promo.max_uses is not None and promo.max_uses < promo.current_uses:
        raise _refuse_field(
            "max_uses",
            f"Код уже использован {promo.current_uses} раз: лимит не может быть меньше.",
            "promo_limit_below_uses",
        )


def promo_check(*, promo: PromoCode) -> None:
    """Refuse a code staff cannot save: no code, a code taken whatever the case, or terms `promo_terms_check`
    refuses. Raises `PromoCodeRejected` with `field` set; the API, the admin and the writes below all call it."""
    code = (promo.code or "").strip()
    if not code:
        raise _refuse_field("code", "Укажите код.", "promo_code_required")
    if PromoCode.objects.filter(code__iexact=code).exclude(pk=promo.pk).exists():
        raise _refuse_field("code", "Такой промокод уже есть.", "promo_code_taken")
    promo_terms_check(promo=promo)


def promo_draft(*, promo: PromoCode | None, data: dict) -> PromoCode:
    """An unsaved copy of `promo` (a new code when None) with `data`'s fields set: what `promo_check` judges
    before a form or serializer hands the data to `promo_code_create`/`promo_code_update`."""
    draft = copy.copy(promo) if promo is not None else PromoCode()
    for field, value in data.items():
        if field != "products":
            setattr(draft, field, value)
    return draft


def _promo_save(*, promo: PromoCode, data: dict) -> PromoCode:
    products = data.pop("products", None)
    for field, value in data.items():
        setattr(promo, field, value)
    promo_check(promo=promo)
    promo.save()
    if products is not None:
        promo.products.set(products)
    return promo


@transaction.atomic
def promo_code_create(*, data: dict) -> PromoCode:
    """A new code (stored upper-case; codes are unique whatever the case). `products` restricts it."""
    return _promo_save(promo=PromoCode(), data=dict(data))


@transaction.atomic
def promo_code_update(*, promo: PromoCode, data: dict) -> PromoCode:
    """Change a code; its use count is the shop's, never written here."""
    data = {field: value for field, value in data.items() if field != "current_uses"}
    promo = PromoCode.objects.select_for_update().get(pk=promo.pk)
    return _promo_save(promo=promo, data=data)


def promo_code_delete(*, promo: PromoCode) -> None:
    """Delete a code no order has used; a used code is kept for the orders' history (switch it off instead)."""
    if promo.orders.exists():
        raise PromoCodeInUse()
    promo.delete()


# --- Generation (staff) ----------------------------------------------------------------------------------------
# Letters and digits nobody confuses when reading a code aloud or off a screen (no 0/O, 1/I/L).
PROMO_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PROMO_CODE_RANDOM_LENGTH = 8
PROMO_GENERATE_MAX = 1000
PROMO_PREFIX_PATTERN = r"[A-Z0-9_-]{0,20}"


def promo_code_random(*, prefix: str) -> str:
    suffix = "".join(secrets.choice(PROMO_CODE_ALPHABET) for _ in range(PROMO_CODE_RANDOM_LENGTH))
    return f"{prefix}-{suffix}" if prefix else suffix


PROMO_TEMPLATE_TERMS = {
    "description": "",
    "discount_percent": None,
    "discount_amount": None,
    "max_uses": None,
    "max_uses_per_customer": None,
    "first_order_only": False,
    "valid_from": None,
    "valid_until": None,
    "is_active": True,
}


def _promo_template_terms(template) -> tuple[dict, list[int]]:
    """The terms and product ids of a template: a saved or unsaved PromoCode, or a dict of the same fields."""
    if isinstance(template, PromoCode):
        terms = {field: getattr(template, field) for field in PROMO_TEMPLATE_TERMS}
        product_ids = list(template.products.values_list("pk", flat=True)) if template.pk else []
    else:
        terms = {field: template.get(field, default) for field, default in PROMO_TEMPLATE_TERMS.items()}
        product_ids = [getattr(product, "pk", product) for product in template.get("products") or []]
    promo_terms_check(promo=PromoCode(**terms))
    return terms, product_ids


@transaction.atomic
def promo_generate(*, template, prefix: str, count: int, single_use: bool = False) -> list[PromoCode]:
    """`count` new codes with the template's terms (discount, limit, validity, activity, products), each
    `PREFIX-XXXXXXXX` with a random part, unique whatever the case; their use counts start at zero.
    `single_use` makes each code good for one order (`max_uses` 1), whatever the template's limit.

    The template is a promo code (usually an existing one) or a dict of its fields (`products`: ids or rows).
    """
    prefix = (prefix or "").strip().upper().rstrip("-")
    if not re.fullmatch(PROMO_PREFIX_PATTERN, prefix):
        raise PromoCodeRejected("Префикс: до 20 латинских букв, цифр, «-» или «_».", code="promo_prefix_invalid")
    if not isinstance(count, int) or not 1 <= count <= PROMO_GENERATE_MAX:
        raise PromoCodeRejected(f"Количество кодов — от 1 до {PROMO_GENERATE_MAX}.", code="promo_count_invalid")
    terms, product_ids = _promo_template_terms(template)
    if single_use:
        terms["max_uses"] = 1
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {promo_code_random(prefix=prefix) for _ in range(count - len(codes))}
        taken = set(
            PromoCode.objects.annotate(upper=Upper("code"))
            .filter(upper__in=wanted)
            .values_list("upper", flat=True)
        )
        codes |= wanted - taken
    created = PromoCode.objects.bulk_create(
        PromoCode(code=code, current_uses=0, **terms) for code in sorted(codes)
    )
    if product_ids:
        through = PromoCode.products.through
        through.objects.bulk_create(
            through(promocode_id=promo.pk, product_id=product_id)
            for promo in created
            for product_id in product_ids
        )
    return created
