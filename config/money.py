"""Money, once: rubles as `Decimal` with two places, rounded half up, and how people read them («4 990 ₽»)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

KOPECK = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    """An amount in rubles, rounded to the kopeck (half up)."""
    return Decimal(str(value)).quantize(KOPECK, rounding=ROUND_HALF_UP)


def amount_final(*, total: Decimal, discount: Decimal = ZERO, delivery: Decimal = ZERO) -> Decimal:
    """What the customer pays: the goods, less the discount, plus delivery (a promo code never discounts
    delivery). Orders keep it in `final_amount`, and a database check holds them to it."""
    return total - discount + delivery


def kopecks(value: Decimal) -> int:
    return int((money(value) / KOPECK).to_integral_value())


def from_kopecks(value: int) -> Decimal:
    return (Decimal(value) * KOPECK).quantize(KOPECK)


def rub(value) -> str:
    """Rubles as customers and staff read them: `4 990 ₽`, `1 250,50 ₽`, `−300 ₽`; "" for what is no amount.

    Thousands are grouped with a regular space and the sign follows a regular space, the same characters
    everywhere, so the text matches what people type when they search a page (the `.price` CSS class keeps a
    price on one line). Kopecks appear only when there are some.
    """
    try:
        amount = money(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if not amount.is_finite():
        return ""
    sign = "−" if amount < 0 else ""
    rubles, fraction = divmod(abs(amount), 1)
    grouped = f"{int(rubles):,}".replace(",", " ")
    if fraction:
        grouped += "," + f"{fraction:.2f}"[2:]
    return f"{sign}{grouped} ₽"


def split_by_largest_remainder(amount: int, weights: list[int]) -> list[int]:
    """`amount` (kopecks) shared out in proportion to `weights`, adding up to `amount` exactly.

    Each share is rounded down; the kopecks left go one each to the largest remainders, earlier places first
    (the rule receipts need: every line's share is within a kopeck of its exact part). A zero weight gets
    nothing; all weights zero share nothing.
    """
    base = sum(weights)
    if not base or not amount:
        return [0] * len(weights)
    shares, remainders = [], []
    for index, weight in enumerate(weights):
        share, remainder = divmod(amount * weight, base)
        shares.append(share)
        remainders.append((-remainder, index))
    for _, index in sorted(remainders)[: amount - sum(shares)]:
        shares[index] += 1
    return shares
