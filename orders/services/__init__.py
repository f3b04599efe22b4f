"""Ordering rules: placing an order, its lifecycle, what payments mean for it, and what staff do with it.

- `placing`: `order_place` (items, amounts, reservation of stock and wave units, promo use).
- `lifecycle`: `order_transition`, the one writer of an order's status, and the unpaid orders' way out
  (cancel, expiry, a canceled payment) that gives everything back.
- `closing`: cancel and expiry as callers use them, each after reading the payment back from YooKassa, and the
  periodic reconciliation of payments nobody has heard about.
- `paying`: payments created, retried, read back from YooKassa and applied.
- `refunds`: refunds by line (plan, send, complete once, reconcile with notifications).
- `settlement`: the settlement receipts of prepaid orders whose wave ships.
- `draws`: a draw's holds and the draw itself (winners' holds captured into paid orders, the rest released).
- `staff`: status and tracking number changes from the API and the admin.
"""

from orders.services.closing import order_cancel, order_expire_unpaid, payments_reconcile
from orders.services.draws import (
    draw_close_now,
    draw_enter,
    draw_entry_cancel,
    draw_entry_refresh,
    draw_hold_expiring,
    draw_payment_apply,
    draw_run,
    draw_run_enqueue,
    draw_state_read,
    draws_run_due,
)
from orders.services.lifecycle import (
    order_cancel_unpaid,
    order_event_add,
    order_expire,
    order_mark_paid,
    order_mark_refunded,
    order_payment_canceled,
    order_release,
    order_transition,
)
from orders.services.paying import (
    order_payment_apply,
    order_payment_begin,
    order_payment_enqueue,
    order_payment_refresh,
    order_payment_retry,
    order_payment_start,
    payment_notification_handle,
)
from orders.services.placing import (
    Delivery,
    Shortage,
    order_buyer_check,
    order_delivery_choose,
    order_number_for,
    order_place,
)
from orders.services.pricing import Quote, order_preview, order_promo_validate, order_quote
from orders.services.refunds import (
    RefundRejected,
    order_refund,
    order_refund_complete,
    order_refund_plan,
    order_refund_reconcile,
)
from orders.services.staff import order_set_status, order_set_tracking, order_staff_update

__all__ = [
    "Quote",
    "order_preview",
    "order_promo_validate",
    "order_quote",
    "draw_close_now",
    "draw_enter",
    "draw_entry_cancel",
    "draw_entry_refresh",
    "draw_hold_expiring",
    "draw_payment_apply",
    "draw_run",
    "draw_run_enqueue",
    "draw_state_read",
    "draws_run_due",
    "Delivery",
    "order_buyer_check",
    "order_delivery_choose",
    "RefundRejected",
    "Shortage",
    "order_cancel",
    "order_cancel_unpaid",
    "order_event_add",
    "order_expire",
    "order_expire_unpaid",
    "order_mark_paid",
    "order_mark_refunded",
    "order_number_for",
    "order_payment_apply",
    "order_payment_begin",
    "order_payment_canceled",
    "order_payment_enqueue",
    "order_payment_refresh",
    "order_payment_retry",
    "order_payment_start",
    "order_place",
    "order_refund",
    "order_refund_complete",
    "order_refund_plan",
    "order_refund_reconcile",
    "order_release",
    "order_set_status",
    "order_set_tracking",
    "order_staff_update",
    "order_transition",
    "payment_notification_handle",
    "payments_reconcile",
]
