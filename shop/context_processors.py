from django.utils.functional import SimpleLazyObject

from shop.cart import Cart
from shop.selectors import footer_pages


def storefront(request):
    """What every shop page shows: the cart's size in the header and the CMS pages in the footer."""
    return {
        "cart_count": SimpleLazyObject(lambda: len(Cart(request))),
        "footer_pages": SimpleLazyObject(lambda: list(footer_pages())),
    }
