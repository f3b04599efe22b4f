"""Reads of promo codes for staff."""

from django.db.models import QuerySet

from promos.models import PromoCode


def promo_code_list() -> QuerySet[PromoCode]:
    return PromoCode.objects.prefetch_related("products").order_by("-created_at", "-id")
