from django import template

from config.money import rub
from config.russian import date_ru, phone_ru, plural

register = template.Library()


register.filter("rub", rub)
register.filter("date_ru", date_ru)
register.filter("phone_ru", phone_ru)


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
    return plural(count, one, few, many)
