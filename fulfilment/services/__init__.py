"""Fulfilment rules: registering orders at CDEK and acting on its word (`shipments`), batches (`batches`),
labels and waybills (`documents`)."""

from fulfilment.services.batches import shipment_batch_create, shipment_batch_work, wave_orders_to_ship
from fulfilment.services.documents import shipment_documents_pdf
from fulfilment.services.shipments import (
    shipment_apply,
    shipment_body,
    shipment_errors_text,
    shipment_refresh,
    shipment_register,
)

__all__ = [
    "shipment_apply",
    "shipment_batch_create",
    "shipment_batch_work",
    "shipment_body",
    "shipment_documents_pdf",
    "shipment_errors_text",
    "shipment_refresh",
    "shipment_register",
    "wave_orders_to_ship",
]
