"""Returns: a customer sends back units of a delivered order within `RETURN_DAYS` of delivery (the law's window
for goods bought at a distance); staff accept or refuse, receive the parcel, and the refund by line runs through
the orders app's `order_refund` with its refund receipt. Units go back to stock when staff say they are sellable.

Each step moves the return from the one status before it by a conditional UPDATE, so a double click or a
concurrent copy acts once; each is on the order's timeline and told by SMS.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from catalog.services import stock_release
from config.russian import date_ru
from fulfilment import notifications
from fulfilment.errors import ReturnClosed, ReturnRejected
from fulfilment.models import ReturnLine, ReturnRequest, ReturnStatus
from orders.models import Order, OrderEvent, OrderItem, OrderRefund, OrderRefundLine, OrderStatus, RefundStatus
from orders.services import order_event_add, order_refund

logger = logging.getLogger("dwc.fulfilment")
MAX_REASON = 1000


@dataclass(frozen=True)
class ReturnableLine:
    item: OrderItem
    returnable: int  # units the customer may still ask to return


def order_delivered_at(order: Order) -> datetime | None:
    """When the order was delivered: its first «доставлен» timeline entry."""
    event = OrderEvent.objects.filter(order=order, status=OrderStatus.DELIVERED).order_by("created_at").first()
    return event.created_at if event else None


def return_deadline(order: Order) -> datetime | None:
    """The last moment a return may be asked for, or None when the order is not delivered."""
    delivered = order_delivered_at(order) if order.status == OrderStatus.DELIVERED else None
    return delivered + timedelta(days=settings.RETURN_DAYS) if delivered else None


def return_lines(order: Order) -> list[ReturnableLine]:
    """Each line of the order with the units that may still be returned (bought, less those in returns that
    still claim them and those refunded otherwise)."""
    claimed = dict(
        ReturnLine.objects.filter(request__order=order, request__status__in=ReturnStatus.CLAIMING)
        .values("item_id")
        .annotate(units=Sum("quantity"))
        .values_list("item_id", "units")
    )
    refunded = dict(
        OrderRefundLine.objects.filter(refund__order=order, refund__status__in=(RefundStatus.SUCCEEDED, RefundStatus.PENDING))
        .exclude(refund__in=ReturnRequest.objects.filter(order=order).exclude(refund=None).values("refund"))
        .values("item_id")
        .annotate(units=Sum("quantity"))
        .values_list("item_id", "units")
    )  # fmt: skip
    items = order.items.select_related("product").order_by("id")
    return [
        ReturnableLine(item=item, returnable=max(item.quantity - claimed.get(item.pk, 0) - refunded.get(item.pk, 0), 0))
        for item in items
    ]  # fmt: skip


def return_instructions(request: ReturnRequest) -> str:
    """How the customer sends an accepted return: CDEK's return to the shop's point."""
    point = settings.CDEK_SHIPMENT_POINT
    where = f"на пункт магазина {point}" if point else "на адрес магазина"
    return (
        f"Упакуйте товар и отнесите в любой пункт выдачи СДЭК. Скажите, что это возврат интернет-магазину "
        f"DWC Shop по заказу {request.order.order_number}: СДЭК отправит посылку {where}. "
        f"Деньги вернутся, когда мы получим и проверим товар."
    )


@transaction.atomic
def return_request(*, order: Order, user, items: list[tuple[int, int]], reason: str) -> ReturnRequest:
    """The customer asks to return `items` ((order item id, units)) of their delivered order, within the window.

    `ReturnClosed` (409) when the order is not delivered or the window has passed; `ReturnRejected` (400) for
    no reason, no units, a line of another order, or more units than may be returned.
    """
    order = Order.objects.select_for_update(of=("self",)).select_related("user").get(pk=order.pk)
    if order.user_id != getattr(user, "pk", None) and not getattr(user, "is_staff", False):
        raise Order.DoesNotExist
    deadline = return_deadline(order)
    if deadline is None:
        raise ReturnClosed("Вернуть можно только доставленный заказ.", code="order_not_delivered")
    if timezone.now() > deadline:
        raise ReturnClosed(
            f"Срок возврата истёк {date_ru(deadline)}: вернуть товар можно в течение "
            f"{settings.RETURN_DAYS} дней после получения.",
            code="return_window_closed",
        )
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ReturnRejected(
            "Укажите причину возврата.", code="return_reason_required", reason=["Укажите причину."]
        )
    if len(reason) > MAX_REASON:
        raise ReturnRejected(f"Причина — не длиннее {MAX_REASON} символов.", code="return_reason_too_long")
    wanted: dict[int, int] = {}
    for item_id, units in items or []:
        if int(units) > 0:
            wanted[int(item_id)] = wanted.get(int(item_id), 0) + int(units)
    if not wanted:
        raise ReturnRejected("Выберите, что вернуть: хотя бы одну единицу товара.", code="return_empty")
    lines = {line.item.pk: line for line in return_lines(order)}
    unknown = [item_id for item_id in wanted if item_id not in lines]
    if unknown:
        raise ReturnRejected("В заказе нет такой позиции.", code="return_item_unknown", items=unknown)
    too_many = {pk: lines[pk].returnable for pk, units in wanted.items() if units > lines[pk].returnable}
    if too_many:
        raise ReturnRejected(
            "Нельзя вернуть больше, чем куплено: "
            + ", ".join(f"«{lines[pk].item.product.name}» — не больше {left} шт." for pk, left in too_many.items())
            + ".",
            code="return_too_many",
            available={str(pk): left for pk, left in too_many.items()},
        )
    request = ReturnRequest.objects.create(order=order, reason=reason)
    ReturnLine.objects.bulk_create(
        ReturnLine(request=request, item_id=pk, quantity=units) for pk, units in wanted.items()
    )
    what = ", ".join(
        f"{lines[pk].item.product.name} ({lines[pk].item.size}) × {units}" for pk, units in wanted.items()
    )
    order_event_add(order=order, message=f"Покупатель попросил вернуть: {what}."[:255])
    notifications.notify_return(order, "Заявка получена, ответим в течение двух рабочих дней.")
    return request


def _step(request: ReturnRequest, *, sources, to: str, **changes) -> bool:
    moved = ReturnRequest.objects.filter(pk=request.pk, status__in=sources).update(
        status=to, updated_at=timezone.now(), **changes
    )
    if moved:
        request.status = to
        for field, value in changes.items():
            setattr(request, field, value)
    return bool(moved)


@transaction.atomic
def return_decide(*, request: ReturnRequest, accept: bool, comment: str = "", by=None) -> ReturnRequest:
    """Staff accept a return (the customer is told how to send it) or refuse it (with a comment), once."""
    request = ReturnRequest.objects.select_related("order__user").get(pk=request.pk)
    comment = (comment or "").strip()[:1000]
    if not accept and not comment:
        raise ReturnRejected("Напишите покупателю, почему возврат отклонён.", code="return_comment_required")
    to = ReturnStatus.ACCEPTED if accept else ReturnStatus.REFUSED
    if not _step(request, sources=(ReturnStatus.REQUESTED,), to=to, staff_comment=comment,
                 decided_by=by if getattr(by, "pk", None) else None):  # fmt: skip
        if request.status == to:
            return request
        raise ReturnClosed(f"Возврат уже в статусе «{request.get_status_display()}».", code="return_step_taken")
    order = request.order
    if accept:
        order_event_add(order=order, message=f"Магазин принял заявку на возврат №{request.pk}.")
        notifications.notify_return(order, "Заявка принята. " + return_instructions(request))
    else:
        order_event_add(order=order, message=f"Магазин отклонил заявку на возврат №{request.pk}: {comment}"[:255])
        notifications.notify_return(order, f"Заявка отклонена: {comment}"[:300])
    return request


def return_receive(*, request: ReturnRequest, sellable: bool, by=None) -> ReturnRequest:
    """Staff have the returned parcel: the units go back to stock if `sellable`, and the refund by line runs
    (`order_refund`, with its receipt), once. A YooKassa that does not answer leaves the return received with
    no refund; the same call later sends it (`return_refund`)."""
    with transaction.atomic():
        request = ReturnRequest.objects.select_related("order__user").get(pk=request.pk)
        if _step(request, sources=(ReturnStatus.ACCEPTED,), to=ReturnStatus.RECEIVED, sellable=sellable,
                 received_at=timezone.now()):  # fmt: skip
            lines = list(request.lines.select_related("item"))
            if sellable:
                stock_release(quantities={(line.item.product_id, line.item.size): line.quantity for line in lines})
            back = "товар вернулся на склад" if sellable else "товар не годен к продаже"
            order_event_add(order=request.order, message=f"Возврат №{request.pk} получен магазином, {back}.")
            notifications.notify_return(request.order, "Мы получили товар. Деньги вернутся на карту.")
        elif request.status not in (ReturnStatus.RECEIVED,):
            if request.status == ReturnStatus.REFUNDED:
                return request
            raise ReturnClosed("Получить можно только принятый возврат.", code="return_step_taken")
    return return_refund(request=request, by=by)


def return_refund(*, request: ReturnRequest, by=None) -> ReturnRequest:
    """The refund of a received return's lines; it becomes `refunded` once YooKassa confirms (at once, or later
    by its notification, when reading the return: `return_refresh`)."""
    request = ReturnRequest.objects.select_related("order", "refund").get(pk=request.pk)
    if request.status != ReturnStatus.RECEIVED:
        return request
    if request.refund is not None and request.refund.status == RefundStatus.CANCELED:
        # YooKassa refused that refund (no money moved): the return may be refunded again, under a new name.
        ReturnRequest.objects.filter(pk=request.pk, refund=request.refund).update(refund=None)
        request.refund = None
    if request.refund is None:
        # The refund is named by the return: a repeat (a double click, a retry after YooKassa was silent) finds
        # the same refund and never sends money twice.
        items = sorted(request.lines.values_list("item_id", "quantity"))
        key = _refund_key(request)
        order_refund(order=request.order, items=items, by=by, request_key=key,
                     request_hash=hashlib.sha256(repr(items).encode()).hexdigest())  # fmt: skip
        made = OrderRefund.objects.filter(order=request.order, request_key=key).first()
        ReturnRequest.objects.filter(pk=request.pk, refund=None).update(refund=made)
    return return_refresh(request=request)


def _refund_key(request: ReturnRequest) -> str:
    """`return-<id>`, then `return-<id>:2`, `:3`… after each refund YooKassa cancelled."""
    base = f"return-{request.pk}"
    canceled = OrderRefund.objects.filter(
        Q(request_key=base) | Q(request_key__startswith=f"{base}:"),
        order=request.order,
        status=RefundStatus.CANCELED,
    ).count()
    return f"{base}:{canceled + 1}" if canceled else base


def return_refresh(*, request: ReturnRequest) -> ReturnRequest:
    """A received return whose refund succeeded is `refunded` (once)."""
    request = ReturnRequest.objects.select_related("order", "refund").get(pk=request.pk)
    if request.refund is not None and request.refund.status == RefundStatus.SUCCEEDED:
        _step(request, sources=(ReturnStatus.RECEIVED,), to=ReturnStatus.REFUNDED)
    return request
