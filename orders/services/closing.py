"""Closing unpaid orders, always after asking YooKassa: a customer's or staff's cancel, the expiry of orders
left unpaid, and the periodic reconciliation of payments nobody has heard about.

A payment that succeeded while its notification was lost is applied first (the order becomes paid and is not
closed); when YooKassa cannot be asked, the order is not closed now: a cancel is refused with a 503 to try
again, an expiry waits for the next round. The calls to YooKassa happen outside any transaction.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from orders import selectors
from orders.models import Order, OrderStatus
from orders.payments import PaymentCheckUnavailable, PaymentUnavailable
from orders.services.lifecycle import order_cancel_unpaid, order_expire
from orders.services.paying import order_payment_refresh, order_payment_start

logger = logging.getLogger("dwc.orders")

# Payments younger than this are left to their notifications.
RECONCILE_QUIET_FOR = timedelta(minutes=2)


def order_cancel(*, order: Order, by) -> Order:
    """Cancel an unpaid order (its customer or staff) after reading its payment back from YooKassa.

    Paid meanwhile → refused (409, the order is now paid); its payment canceled → already cancelled by that
    (409 «уже отменён»); YooKassa not answering → refused (503), nothing changed.
    """
    try:
        current = order_payment_refresh(order=order)
    except PaymentUnavailable as error:
        raise PaymentCheckUnavailable() from error
    # Refused, with the reason, when the order is no longer pending (paid, or cancelled by its payment).
    return order_cancel_unpaid(order=current, by=by)


def order_expire_unpaid(*, now=None) -> int:
    """Cancel orders left unpaid longer than `ORDER_PAYMENT_TIMEOUT` minutes, giving everything back; each after
    its payment is read back. Returns how many expired; those YooKassa could not be asked about wait."""
    expired = 0
    for order in selectors.orders_unpaid_stale(now=now).only("pk").iterator():
        try:
            current = order_payment_refresh(order=order)
        except PaymentUnavailable:
            logger.warning("Order %s not expired: its payment could not be checked", order.pk)
            continue
        if current.status == OrderStatus.PENDING and order_expire(order=current):
            expired += 1
    return expired


@dataclass
class Reconciliation:
    checked: int = 0
    settled: int = 0  # paid, captured or cancelled by what YooKassa said
    created: int = 0  # payments created for orders that had none
    unavailable: int = 0


def payments_reconcile(*, quiet_for: timedelta = RECONCILE_QUIET_FOR, now=None) -> Reconciliation:
    """Every pending order nobody has heard about for `quiet_for`: its payment is read back and applied (a lost
    notification), or, if it has none because its creation failed, created (the same idempotence key)."""
    report = Reconciliation()
    for order in selectors.orders_payment_unsettled(quiet_for=quiet_for, now=now).only("pk", "payment_id"):
        report.checked += 1
        if not order.payment_id:
            order_payment_start(order_id=order.pk)
            report.created += bool(Order.objects.filter(pk=order.pk).exclude(payment_id="").exists())
            continue
        try:
            current = order_payment_refresh(order=order)
        except PaymentUnavailable:
            report.unavailable += 1
            continue
        report.settled += current.status != OrderStatus.PENDING
    if report.checked:
        logger.info("Payments reconciled: %s", report)
    return report
