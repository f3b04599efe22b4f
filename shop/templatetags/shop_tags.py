from django import template

from catalog.models import ONE_SIZE
from config.money import rub
from config.russian import date_ru, phone_ru, plural
from orders import selectors as order_selectors

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


@register.simple_tag
def order_timeline(order):
    """`{% order_timeline order as timeline %}`: the order's events and preorder steps, by time."""
    return order_selectors.order_timeline(order)


@register.filter
def tracking_url(number) -> str:
    """CDEK's tracking page of a tracking number."""
    return order_selectors.tracking_url(str(number or ""))


@register.filter
def size_text(size) -> str:
    """A size as a line shows it: nothing for a product that has no sizes («ONE SIZE»)."""
    return "" if size == ONE_SIZE else str(size)
