import factory

from promos.models import PromoCode


class PromoCodeFactory(factory.django.DjangoModelFactory):
    """A 10% code for every product; pass `discount_percent=None, discount_amount=...` for a fixed one."""

    class Meta:
        model = PromoCode

    code = factory.Sequence(lambda n: f"PROMO{n}")
    discount_percent = 10
    discount_amount = None
