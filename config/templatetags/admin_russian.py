"""The admin's model names in the case and number a Russian sentence needs.

The forms live in the `ru` catalog (`locale/ru/LC_MESSAGES/django.po`): each model name has a plural entry
(`товар` → 1 товар, 2 товара, 5 товаров), which is what Django's own `model_ngettext` asks for, and an
accusative under the context «accusative» where it differs from the nominative («Добавить волну предзаказа»).
"""

from django import template
from django.contrib.admin.utils import model_ngettext
from django.utils.text import capfirst
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def accusative(name) -> str:
    """`волна предзаказа` → `волну предзаказа`; a name without an entry is its own accusative."""
    return pgettext("accusative", str(name))


@register.filter
def count_of(count, opts) -> str:
    """`13 товаров`, `1 заказ`: the number with the model's name in the agreeing form."""
    return f"{count} {model_ngettext(opts, count or 0)}"


@register.simple_tag(takes_context=True)
def admin_title(context) -> str:
    """The page's heading: «Добавить волну предзаказа», «Изменить заказ», «Волны предзаказа» (a list), else the
    view's own title."""
    title = context.get("title") or ""
    opts = context.get("opts")
    if opts is None or context.get("is_popup"):
        return title
    if getattr(context.get("cl"), "opts", None) is not None:
        return capfirst(opts.verbose_name_plural)
    if "add" not in context or "change" not in context or "adminform" not in context:
        return title
    if context["add"]:
        return f"Добавить {accusative(opts.verbose_name)}"
    if context.get("has_change_permission"):
        return f"Изменить {accusative(opts.verbose_name)}"
    return capfirst(opts.verbose_name)
