"""Reads of orders: a customer's own orders with everything their pages show."""

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from delivery.selectors import delivery_tracking_url
from orders.models import Order, OrderEvent, OrderItem, OrderRefund, OrderStatus, PaymentStatus, RefundStatus
from preorders.models import PreorderStatus

MONEY = DecimalField(max_digits=12, decimal_places=2)


def tracking_url(number: str) -> str:
    """CDEK's tracking page of a shipment (`delivery.selectors`); "" without a number."""
    number = (number or "").strip()
    return delivery_tracking_url(tracking_number=number) if number else ""


@dataclass(frozen=True)
class TimelineEntry:
    """One step of an order's timeline as customers and staff read it."""

    at: datetime
    title: str
    text: str = ""
    status: str = ""
    tracking_number: str = ""

    @property
    def tracking_url(self) -> str:
        return tracking_url(self.tracking_number)


def order_timeline(order: Order) -> list[TimelineEntry]:
    """The order's own events (placed, paid, shipped…) and its preorder waves' steps, merged by time.

    Uses the prefetched `events` and `preorder_statuses` of `order_queryset()`; an order from before events
    were kept starts with its creation.
    """
    entries = []
    events = list(order.events.all())
    if not events:
        entries.append(TimelineEntry(at=order.created_at, title="Заказ оформлен", status=OrderStatus.PENDING))
    for event in events:
        # A shipment's event carries its own number; a shipped one without (written elsewhere) shows the order's.
        number = event.tracking_number or (order.tracking_number if event.status == OrderStatus.SHIPPED else "")
        entries.append(
            TimelineEntry(
                at=event.created_at,
                title=event.message,
                status=event.status,
                tracking_number=number,
            )
        )
    for step in order.preorder_statuses.all():
        entries.append(
            TimelineEntry(
                at=step.created_at,
                title=f"Волна {step.wave.wave_number}: {step.get_status_display()}",
                text=step.status_message,
                status=f"wave-{step.status}",
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def wave_orders_to_tell(*, wave) -> QuerySet[Order]:
    """The live orders with a line in the wave: each is told of the wave's status changes (one SMS each)."""
    return Order.objects.filter(items__preorder_wave=wave).exclude(status__in=OrderStatus.CLOSED).distinct()


def order_queryset() -> QuerySet[Order]:
    """Orders with their items (product, wave) and preorder timeline, in a fixed number of queries."""
    return Order.objects.select_related("user", "promo_code").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.select_related("product", "preorder_wave").order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
        Prefetch(
            "preorder_statuses",
            queryset=PreorderStatus.objects.select_related("wave").order_by("created_at", "id"),
        ),
        Prefetch("refunds", queryset=OrderRefund.objects.prefetch_related("lines").order_by("created_at", "id")),
    )


def order_as_placed(order: Order) -> Order | None:
    """A just placed order (`order_place`) as `order_queryset` would read it, made from the rows its placing wrote;
    None for any other order. Only what the payment step (after commit, in the request) may have changed is read
    again: one row, a few columns. The copy's related lists are fixed: use it for the answer only."""
    placed = getattr(order, "placed_rows", None)
    if placed is None:
        return None
    answer = copy.copy(order)
    answer.refresh_from_db(fields=["status", "payment_status", "payment_id", "payment_url", "paid_at"])
    answer._prefetched_objects_cache = {}
    for name, rows in (*placed.items(), ("refunds", [])):
        rows_in_hand = getattr(order, name).all()
        rows_in_hand._result_cache, rows_in_hand._prefetch_done = list(rows), True
        answer._prefetched_objects_cache[name] = rows_in_hand
    return answer


def orders_with_refunded_total(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders with `refunded_total`, the sum of their succeeded refunds (one subquery, for lists: an order's
    `refunded_amount` and `net_amount` read it)."""
    refunded = (
        OrderRefund.objects.filter(order=OuterRef("pk"), status=RefundStatus.SUCCEEDED)
        .values("order")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return orders.annotate(refunded_total=Coalesce(Subquery(refunded), Value(Decimal("0.00")), output_field=MONEY))


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


def orders_unpaid_stale(*, now=None) -> QuerySet[Order]:
    """Orders left unpaid past their `pay_by` (the shortest `payment_timeout` of their products) or
    `ORDER_PAYMENT_TIMEOUT` minutes after they were placed, whichever comes first; oldest first."""
    now = now or timezone.now()
    deadline = now - timedelta(minutes=settings.ORDER_PAYMENT_TIMEOUT)
    return Order.objects.filter(
        Q(pay_by__lt=now) | Q(created_at__lt=deadline),
        status=OrderStatus.PENDING,
        payment_status__in=PaymentStatus.UNPAID,
    ).order_by("pk")


def orders_payment_unsettled(*, quiet_for: timedelta, now=None) -> QuerySet[Order]:
    """Pending orders nobody has heard about for `quiet_for`: a payment still pending at YooKassa (its
    notification may be lost) or none at all (its creation failed), for the reconciliation to look at."""
    since = (now or timezone.now()) - quiet_for
    return Order.objects.filter(
        status=OrderStatus.PENDING,
        payment_status__in=(PaymentStatus.PENDING, PaymentStatus.WAITING_FOR_CAPTURE),
        final_amount__gt=0,
        updated_at__lt=since,
    ).order_by("pk")


def order_for_checkout(*, user, checkout_key: str) -> Order | None:
    """The order a customer's checkout (form token, `Idempotency-Key`) already placed, if any."""
    if not checkout_key or not getattr(user, "is_authenticated", False):
        return None
    return Order.objects.filter(user=user, checkout_key=checkout_key).first()
