"""Refunds by line: staff return money for some units of a paid order, or all of it, through YooKassa.

- `order_refund_plan(order=..., items=...)`: what a refund would return, line by line, and how much; the admin's
  confirmation screen shows it, and `order_refund` checks and sends the same plan.
- `order_refund(order=..., items=..., by=...)`: the refund, recorded as an `OrderRefund` before YooKassa is asked
  and completed once YooKassa says it succeeded (at once, or by its `refund.succeeded` notification:
  `order_refund_reconcile`).

A line's refunded units are worth their part of the line's stored sum after the discount
(`OrderItem.units_amount`), the last units of a line taking what is left of it, so all refunds of an order add up
to its final amount exactly.
Delivery goes back with the refund that leaves nothing else to refund (a full refund).

A refund is named by its request: `request_key` (the API's `Idempotency-Key`, the admin confirmation's one-time
token) is kept on the refund with a hash of what was asked, and YooKassa's idempotence key is derived from it.
A repeat of the request (a double click, a retry after a lost answer, however late) finds that refund and
returns it, never a second one; the same key asking for something else is refused (422). Callers without a
request (the staff status change) get a key derived from the refund's content.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from config.errors import DomainError
from config.idempotency import request_fingerprint_check
from config.money import from_kopecks, kopecks, rub
from orders import notifications, payments
from orders.models import Order, OrderItem, OrderRefund, OrderRefundLine, OrderStatus, PaymentStatus, RefundStatus
from orders.payments import OrderNotRefundable, PaymentUnavailable, idempotence_key
from orders.services.lifecycle import order_event_add, order_mark_refunded, order_release

logger = logging.getLogger("dwc.payments")

#: Statuses in which the order's units are still in the shop: a refund gives them back to stock or their wave.
UNSHIPPED = (OrderStatus.PAID, OrderStatus.PROCESSING)


class RefundRejected(DomainError):
    """A refund that cannot be: more units than are left to refund, a line of another order, nothing at all."""

    code = "refund_invalid"
    default_message = "Такой возврат невозможен."


@dataclass
class RefundLine:
    item: OrderItem
    quantity: int
    amount: int  # kopecks


@dataclass
class RefundPlan:
    """What a refund returns: its lines, the delivery (kopecks), whether it is the whole rest of the order."""

    order: Order
    lines: list[RefundLine] = field(default_factory=list)
    delivery: int = 0
    whole: int = 0  # kopecks refunded as one "whole order" item (an order whose lines do not explain its amount)
    is_full: bool = False
    restock: bool = False
    refunded_before: int = 0  # kopecks refunded by earlier succeeded refunds

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines) + self.delivery + self.whole

    @property
    def key_purpose(self) -> str:
        """The refund's content, for its idempotence key. A full refund with nothing refunded before has the key
        every path that refunds a whole payment uses (`payments.refund_create_full`)."""
        payment_id = self.order.payment_id
        if self.is_full and not self.refunded_before:
            return f"refund:{payment_id}"
        lines = ",".join(f"{line.item.pk}x{line.quantity}" for line in self.lines)
        return f"refund:{payment_id}:{self.refunded_before}:{lines}:{self.delivery}"


def _refunded(order: Order, *, statuses) -> tuple[dict[int, tuple[int, int]], int]:
    """Per order item (units, kopecks) already refunded by refunds in `statuses`, and their delivery (kopecks)."""
    rows = (
        OrderRefundLine.objects.filter(refund__order=order, refund__status__in=statuses)
        .values("item_id")
        .annotate(units=Sum("quantity"), amount=Sum("amount"))
    )
    per_item = {row["item_id"]: (row["units"], kopecks(row["amount"])) for row in rows}
    delivery = OrderRefund.objects.filter(order=order, status__in=statuses).aggregate(d=Sum("delivery_amount"))[
        "d"
    ]
    return per_item, kopecks(delivery or 0)


def _refund_wanted(*, items: list[tuple[int, int]] | None, left: dict[int, int]) -> dict[int, int]:
    """Units to refund per order item: the asked ones summed per item (None = everything left), each the order's
    and within what is `left` of it, else `RefundRejected`."""
    if items is None:
        return {pk: units for pk, units in left.items() if units > 0}
    wanted: dict[int, int] = {}
    for item_id, units in items:
        wanted[item_id] = wanted.get(item_id, 0) + int(units)
    unknown = [item_id for item_id in wanted if item_id not in left]
    if unknown:
        raise RefundRejected("В заказе нет такой позиции.", code="refund_item_unknown", items=unknown)
    too_many = {item_id: left[item_id] for item_id, units in wanted.items() if units > left[item_id]}
    if too_many:
        raise RefundRejected(
            "Нельзя вернуть больше, чем оплачено: осталось "
            + ", ".join(f"позиция {item_id} — {units} шт." for item_id, units in too_many.items())
            + ".",
            code="refund_too_large",
            available={str(item_id): units for item_id, units in too_many.items()},
        )
    return wanted


def order_refund_plan(*, order: Order, items: list[tuple[int, int]] | None = None) -> RefundPlan:
    """The refund of `items` ((order item id, units), None = everything left) of a paid order, checked.

    `OrderNotRefundable` (409) for an order nobody paid through YooKassa; `RefundRejected` (400) for a line that
    is not the order's, more units than are left to refund, or nothing to refund.
    """
    if order.status not in OrderStatus.HOLDS_PAYMENT or order.payment_status != PaymentStatus.SUCCEEDED:
        raise OrderNotRefundable()
    if not order.payment_id:
        raise OrderNotRefundable("У заказа нет платежа ЮKassa: деньги возвращаются вручную.")
    priced = order.priced_items()
    done, delivery_done = _refunded(order, statuses=(RefundStatus.SUCCEEDED,))
    if priced is None:
        # The lines do not explain the amount (a hand-made order): only the whole of it goes back.
        if (
            items is not None
            or OrderRefund.objects.filter(order=order).exclude(status=RefundStatus.CANCELED).exists()
        ):
            raise RefundRejected("Этот заказ можно вернуть только целиком.", code="refund_whole_only")
        return RefundPlan(order=order, whole=kopecks(order.final_amount), is_full=True, restock=False)
    taken, delivery_taken = _refunded(order, statuses=(RefundStatus.SUCCEEDED, RefundStatus.PENDING))
    left = {item.pk: item.quantity - taken.get(item.pk, (0, 0))[0] for item in priced}

    wanted = _refund_wanted(items=items, left=left)

    plan = RefundPlan(
        order=order, restock=order.status in UNSHIPPED, refunded_before=sum(v for _, v in done.values())
    )
    plan.refunded_before += delivery_done
    for item in priced:
        units = wanted.get(item.pk, 0)
        if units <= 0:
            continue
        units_before, amount_before = taken.get(item.pk, (0, 0))
        amount = item.units_amount(units, units_before=units_before, amount_before=amount_before)
        plan.lines.append(RefundLine(item=item, quantity=units, amount=amount))
    plan.is_full = all(left[pk] - wanted.get(pk, 0) == 0 for pk in left)
    if plan.is_full:
        plan.delivery = kopecks(order.delivery_amount) - delivery_taken
    if plan.amount <= 0:
        raise RefundRejected("Возвращать нечего: все позиции заказа уже возвращены.", code="refund_empty")
    if plan.amount > kopecks(order.final_amount) - plan.refunded_before:
        raise RefundRejected("Нельзя вернуть больше, чем оплачено.", code="refund_too_large")
    return plan


def _refund_record(*, order: Order, items, by, request_key: str, request_hash: str) -> tuple[OrderRefund, Order]:
    """Check the refund under the order's row lock and record it (or find the refund its request recorded before:
    concurrent copies of one request queue on the lock, and the later ones find the first one's row)."""
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("user", "promo_code").get(pk=order.pk)
        if request_key:
            asked = OrderRefund.objects.filter(order=order, request_key=request_key).first()
            if asked is not None:
                request_fingerprint_check(stored=asked.request_hash, given=request_hash)
                return asked, order
        plan = order_refund_plan(order=order, items=items)
        key = idempotence_key(order, f"refund-request:{request_key}" if request_key else plan.key_purpose)
        existing = OrderRefund.objects.filter(idempotence_key=key).first()
        if existing is not None:
            return existing, order
        refund = OrderRefund.objects.create(
            order=order,
            amount=from_kopecks(plan.amount),
            whole_amount=from_kopecks(plan.whole),
            delivery_amount=from_kopecks(plan.delivery),
            is_full=plan.is_full,
            restock=plan.restock,
            idempotence_key=key,
            request_key=request_key,
            request_hash=request_hash,
            created_by=by if getattr(by, "pk", None) else None,
        )
        OrderRefundLine.objects.bulk_create(
            OrderRefundLine(
                refund=refund, item=line.item, quantity=line.quantity, amount=from_kopecks(line.amount)
            )
            for line in plan.lines
        )
    return refund, order


def order_refund(
    *,
    order: Order,
    items: list[tuple[int, int]] | None = None,
    by,
    request_key: str = "",
    request_hash: str = "",
) -> Order:
    """Refund `items` ((order item id, units); None = the whole order) of a paid order through YooKassa, for
    staff `by` (kept as the refund's `created_by`).

    The refund is recorded first, then sent with its receipt (the refunded units, and delivery on a full refund).
    When YooKassa says it succeeded it is completed (`order_refund_complete`); a pending one is completed by the
    `refund.succeeded` notification; a YooKassa that does not answer leaves it pending, and the same request
    later sends it again with the same idempotence key.

    `request_key` names the request (see the module): its repeat returns the order with the refund it made (a
    pending one is sent again), and `IdempotencyKeyReused` (422) when `request_hash` says it asked for another.
    """
    refund, order = _refund_record(
        order=order, items=items, by=by, request_key=request_key, request_hash=request_hash
    )
    if refund.status != RefundStatus.PENDING:
        return Order.objects.get(pk=order.pk)
    lines = [(line.item, line.quantity, kopecks(line.amount)) for line in _refund_lines(refund)]
    answer = payments.refund_create(
        payment_id=order.payment_id,
        amount=refund.amount,
        receipt=payments.refund_receipt(
            order=order,
            lines=lines,
            delivery=kopecks(refund.delivery_amount),
            whole=kopecks(refund.whole_amount),
        ),
        description=f"Возврат по заказу {order.order_number}",
        key=refund.idempotence_key,
    )
    OrderRefund.objects.filter(pk=refund.pk, refund_id="").update(refund_id=answer.id)
    if answer.status == RefundStatus.CANCELED:
        OrderRefund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(status=RefundStatus.CANCELED)
        raise PaymentUnavailable("ЮKassa отклонила возврат.", code="refund_canceled")
    if answer.status == RefundStatus.SUCCEEDED:
        order_refund_complete(refund=refund)
    return Order.objects.get(pk=order.pk)


def _refund_lines(refund: OrderRefund) -> list[OrderRefundLine]:
    return list(refund.lines.select_related("item__product").order_by("id"))


@transaction.atomic
def order_refund_complete(*, refund: OrderRefund) -> bool:
    """YooKassa returned the money: the refund's effects happen, once (False when they already had).

    Units of an unshipped order go back to stock or their wave; a full refund of an unshipped order gives the
    promo use back; a full refund makes the order `refunded`, a partial one adds a timeline entry; the customer
    is told by SMS.
    """
    moved = OrderRefund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.SUCCEEDED, succeeded_at=timezone.now()
    )
    if not moved:
        return False
    refund.refresh_from_db()
    order = Order.objects.select_related("user").get(pk=refund.order_id)
    lines = _refund_lines(refund)
    if refund.restock:
        order_release(
            order=order, quantities={line.item_id: line.quantity for line in lines}, promo=refund.is_full
        )
    what = ", ".join(f"{line.item.product.name} ({line.item.size}) × {line.quantity}" for line in lines)
    if refund.is_full:
        order_mark_refunded(order=order)
        if what:
            order_event_add(order=order, message=f"Возвращено {rub(refund.amount)}: {what}."[:255])
    else:
        order_event_add(order=order, message=f"Частичный возврат {rub(refund.amount)}: {what}."[:255])
    notifications.notify_order_refunded(order, amount=refund.amount, full=refund.is_full)
    logger.info("Order %s: refund %s of %s succeeded", order.order_number, refund.refund_id, refund.amount)
    return True


def order_refund_reconcile(*, refund) -> bool:
    """A `refund.succeeded` read back from YooKassa completes the shop's refund it belongs to (found by its id,
    or, when the answer to the request was lost, the order's pending refund of the same amount)."""
    if refund is None or refund.status != RefundStatus.SUCCEEDED:
        return False
    ours = OrderRefund.objects.filter(refund_id=refund.id).first()
    if ours is None:
        value = refund.amount.value if refund.amount is not None else None
        ours = (
            OrderRefund.objects.filter(
                order__payment_id=refund.payment_id, status=RefundStatus.PENDING, refund_id="", amount=value
            )
            .order_by("created_at")
            .first()
        )
        if ours is None:
            return False
        OrderRefund.objects.filter(pk=ours.pk, refund_id="").update(refund_id=refund.id)
    return order_refund_complete(refund=ours)
