from django import template

from config.money import rub

register = template.Library()


register.filter("rub", rub)


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
