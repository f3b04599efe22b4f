"""Documents of parcels: CDEK's labels and waybills as one PDF, and the shop's packing slip.

CDEK prints asynchronously: `POST /v2/print/barcodes` (labels, 100×150) and `/v2/print/orders` (waybills) make
a task per up to `PRINT_CHUNK` orders; the shop asks for its state until it is `READY` (within
`CDEK_PRINT_WAIT` seconds), downloads each PDF and joins them with pypdf: per chunk, the labels, then the
waybills.
"""

import io
import time

from django.conf import settings
from pypdf import PdfWriter

from delivery.cdek import CdekClient, CdekRefused, CdekUnavailable
from fulfilment.errors import DocumentsUnavailable, ShipmentRefused
from fulfilment.models import Shipment, ShipmentState

PRINT_CHUNK = 100  # CDEK prints at most this many orders in one task
PRINT_KINDS = ("barcodes", "orders")


def _print_wait(client: CdekClient, kind: str, uuids: list[str], *, deadline: float) -> bytes:
    task = client.print_create(kind, order_uuids=uuids)
    pause = 0.2
    while True:
        entity = client.print_get(kind, task)
        codes = [s.get("code") for s in entity.get("statuses") or [] if isinstance(s, dict)]
        if "READY" in codes and entity.get("url"):
            return client.print_download(entity["url"], timeout=max(deadline - time.monotonic(), client.timeout))
        if {"INVALID", "REMOVED"} & set(codes):
            raise DocumentsUnavailable("СДЭК не смог подготовить документы.")
        if time.monotonic() + pause > deadline:
            raise DocumentsUnavailable()
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


def shipment_documents_pdf(*, orders, kinds: tuple[str, ...] = PRINT_KINDS) -> bytes:
    """One PDF of CDEK's labels and waybills for the `orders` CDEK has (others are left out).

    `ShipmentRefused` (409) when none of them is registered at CDEK; `DocumentsUnavailable` (503) when CDEK
    does not answer or does not finish in time.
    """
    ids = [getattr(order, "pk", order) for order in orders]
    uuids = list(
        Shipment.objects.filter(order_id__in=ids, state__in=ShipmentState.AT_CDEK)
        .exclude(cdek_uuid="")
        .order_by("order_id")
        .values_list("cdek_uuid", flat=True)
    )
    if not uuids:
        raise ShipmentRefused("Документы печатаются для заказов, переданных в СДЭК.", code="shipment_missing")
    client = CdekClient.from_settings()
    deadline = time.monotonic() + settings.CDEK_PRINT_WAIT
    writer = PdfWriter()
    try:
        for start in range(0, len(uuids), PRINT_CHUNK):
            for kind in kinds:
                writer.append(
                    io.BytesIO(_print_wait(client, kind, uuids[start : start + PRINT_CHUNK], deadline=deadline))
                )
    except (CdekUnavailable, CdekRefused) as error:
        raise DocumentsUnavailable() from error
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
