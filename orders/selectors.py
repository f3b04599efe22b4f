"""Reads of orders: a customer's own orders with everything their pages show."""

from django.db.models import Prefetch, QuerySet

from orders.models import Order, OrderItem, OrderRefund
from preorders.models import PreorderStatus


def order_queryset() -> QuerySet[Order]:
    """Orders with their items (product, wave) and preorder timeline, in a fixed number of queries."""
    return Order.objects.select_related("user", "promo_code").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.select_related("product", "preorder_wave").order_by("id")),
        Prefetch(
            "preorder_statuses",
            queryset=PreorderStatus.objects.select_related("wave").order_by("created_at", "id"),
        ),
        Prefetch("refunds", queryset=OrderRefund.objects.prefetch_related("lines").order_by("created_at", "id")),
    )


def order_list_for(*, user) -> QuerySet[Order]:
    """The user's own orders, newest first (staff too: the back office lists every order in the admin)."""
    if not user or not user.is_authenticated:
        return Order.objects.none()
    return order_queryset().filter(user=user).order_by("-created_at", "-id")


def order_get_for(*, user, number: str) -> Order:
    """One order by number, for its owner or staff; anyone else gets `Order.DoesNotExist` (a 404)."""
    if not user or not user.is_authenticated:
        raise Order.DoesNotExist
    orders = order_queryset()
    if not user.is_staff:
        orders = orders.filter(user=user)
    return orders.get(order_number=number)
