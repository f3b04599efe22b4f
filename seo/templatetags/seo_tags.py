"""Tags of the storefront's <head> for machine readers: `{% product_head product %}`, `{% canonical_link %}`,
`{% metrica_script %}` and `{% metrica_data ... %}` (Yandex Metrica's e-commerce data, only with a counter)."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join, json_script

from seo.metrica import metrica_order_data, metrica_product_data
from seo.selectors import absolute_url
from seo.structured_data import json_ld_script, product_json_ld, product_share_tags

register = template.Library()


@register.simple_tag
def product_head(product):
    """The canonical address, the link-preview tags and the JSON-LD of a product page."""
    return format_html(
        '<link rel="canonical" href="{}">\n{}\n{}',
        absolute_url(product.get_absolute_url()),
        format_html_join("\n", '<meta {}="{}" content="{}">', product_share_tags(product)),
        json_ld_script(product_json_ld(product)),
    )


@register.simple_tag
def canonical_link(path: str):
    """The canonical address of a page at `path` (without the query: filters and utm_* are not other pages)."""
    return format_html('<link rel="canonical" href="{}">', absolute_url(path))


@register.simple_tag
def metrica_script():
    """Metrica's loader, a file of ours: the counter comes in a data attribute, no inline script."""
    if not settings.YANDEX_METRICA_ID:
        return ""
    return format_html(
        '<script src="{}" data-counter="{}" defer></script>', static("js/metrica.js"), settings.YANDEX_METRICA_ID
    )


@register.simple_tag
def metrica_product(product):
    """The `detail` event's data of a product page (read by metrica.js; also what `add` sends)."""
    if not settings.YANDEX_METRICA_ID:
        return ""
    return _data_block("metrica-product", metrica_product_data(product))


@register.simple_tag
def metrica_purchase(order):
    """The `purchase` event's data of a paid order's page."""
    if not settings.YANDEX_METRICA_ID or order.paid_at is None:
        return ""
    return _data_block("metrica-purchase", metrica_order_data(order))


def _data_block(element_id: str, data: dict):
    return json_script(data, element_id)
