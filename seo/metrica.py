"""Yandex Metrica's e-commerce data (`dataLayer`): `detail` on a product page, `add` when a size goes to the
cart, `purchase` on a paid order's page. The pages carry the data as JSON data blocks; `static/js/metrica.js`
pushes them, so no inline script is needed."""

from catalog.models import Product
from seo.selectors import price_text
from seo.structured_data import CURRENCY

CATEGORY = "Одежда"


def metrica_product_data(product: Product) -> dict:
    return {
        "currencyCode": CURRENCY,
        "product": {
            "id": product.article,
            "name": product.name,
            "price": price_text(product.price),
            "category": CATEGORY,
        },
    }


def metrica_order_data(order) -> dict:
    """A paid order as Metrica's `purchase`: the order number, the revenue paid and its lines."""
    return {
        "currencyCode": CURRENCY,
        "actionField": {"id": order.order_number, "revenue": price_text(order.final_amount)},
        "products": [
            {
                "id": item.product.article,
                "name": item.product.name,
                "price": price_text(item.price),
                "variant": item.size,
                "quantity": item.quantity,
                "category": CATEGORY,
            }
            for item in order.items.all()
        ],
    }
