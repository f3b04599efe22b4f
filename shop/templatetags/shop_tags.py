from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def rub(value) -> str:
    """Rubles as customers read them: `4 990 ₽`, `1 250,50 ₽`.

    Thousands are grouped with a regular space (U+0020) and the sign follows a regular space, the same
    characters everywhere, so the text matches what people type when they search the page; the `.price` CSS
    class keeps a price on one line. Kopecks appear only when there are some.
    """
    try:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    sign = "−" if amount < 0 else ""
    rubles, kopecks = divmod(abs(amount), 1)
    grouped = f"{int(rubles):,}".replace(",", " ")
    if kopecks:
        grouped += "," + f"{kopecks:.2f}"[2:]
    return f"{sign}{grouped} ₽"


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed: keeps the catalog filters across pages."""
    params = context["request"].GET.copy()
    for name, value in changes.items():
        if value in (None, ""):
            params.pop(name, None)
        else:
            params[name] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def pluralize_ru(count, forms: str) -> str:
    """`{{ n|pluralize_ru:"товар,товара,товаров" }}`: the Russian plural form for a count."""
    one, few, many = forms.split(",")
    n = abs(int(count))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
