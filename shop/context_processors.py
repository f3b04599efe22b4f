from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from shop.cart import Cart
from shop.selectors import footer_pages


def storefront(request):
    """What every shop page shows: the cart's size in the header, the CMS pages in the footer, the policy's address."""
    return {
        "cart_count": SimpleLazyObject(lambda: len(Cart(request))),
        "footer_pages": SimpleLazyObject(lambda: list(footer_pages())),
        # The policy and the offer that consent boxes link (CMS pages the demo seeds).
        "privacy_policy_url": reverse("shop:page", kwargs={"slug": settings.PRIVACY_POLICY_SLUG}),
        "public_offer_url": reverse("shop:page", kwargs={"slug": settings.PUBLIC_OFFER_SLUG}),
    }
