"""Fulfilment rules: registering orders at CDEK and acting on its word (`shipments`), batches (`batches`),
labels and waybills (`documents`), CDEK's status webhooks and the reconciliation (`statuses`), returns (`returns`)."""

from fulfilment.services.batches import (
    shipment_batch_create,
    shipment_batch_work,
    shipment_batches_stalled_claim,
    wave_orders_to_ship,
)
from fulfilment.services.documents import shipment_documents_pdf
from fulfilment.services.returns import (
    order_delivered_at,
    return_deadline,
    return_decide,
    return_instructions,
    return_lines,
    return_receive,
    return_refresh,
    return_refund,
    return_request,
)
from fulfilment.services.shipments import (
    shipment_apply,
    shipment_body,
    shipment_errors_text,
    shipment_new_check,
    shipment_refresh,
    shipment_register,
)
from fulfilment.services.statuses import (
    Reconciled,
    shipments_reconcile,
    webhook_handle,
    webhook_subscribe,
    webhook_url,
)

__all__ = [
    "Reconciled",
    "order_delivered_at",
    "return_deadline",
    "return_decide",
    "return_instructions",
    "return_lines",
    "return_receive",
    "return_refresh",
    "return_refund",
    "return_request",
    "shipment_apply",
    "shipment_batch_create",
    "shipment_batch_work",
    "shipment_batches_stalled_claim",
    "shipment_body",
    "shipment_documents_pdf",
    "shipment_errors_text",
    "shipment_refresh",
    "shipment_new_check",
    "shipment_register",
    "shipments_reconcile",
    "wave_orders_to_ship",
    "webhook_handle",
    "webhook_subscribe",
    "webhook_url",
]
