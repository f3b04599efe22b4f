"""CDEK's word about parcels: the webhook subscription, webhooks trusted for their uuid only, and the periodic
reconciliation that reads every moving parcel back in case a webhook was lost."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from delivery.cdek import CdekClient
from fulfilment.errors import ShipmentUnavailable
from fulfilment.models import Shipment, ShipmentState
from fulfilment.services.shipments import shipment_refresh

logger = logging.getLogger("dwc.fulfilment")


def webhook_url() -> str:
    return settings.CDEK_WEBHOOK_URL or f"{settings.SITE_URL}{reverse('cdek-webhook')}"


def webhook_subscribe(*, url: str = "") -> tuple[str, bool]:
    """Subscribe `url` (default `webhook_url()`) to CDEK's `ORDER_STATUS`: (the subscription's uuid, whether
    it is new). A subscription to the same address is kept as it is."""
    url = url or webhook_url()
    client = CdekClient.from_settings()
    for hook in client.webhooks() or []:
        if isinstance(hook, dict) and hook.get("type") == "ORDER_STATUS" and hook.get("url") == url:
            return str(hook.get("uuid")), False
    return client.webhook_subscribe(url=url, type="ORDER_STATUS"), True


def webhook_handle(*, data) -> Shipment | None:
    """An `ORDER_STATUS` webhook: only its `uuid` is read, to find the shipment; what happened is read back from
    CDEK (`shipment_refresh`), so a forged or replayed body changes nothing CDEK does not confirm.

    None for what is not ours (another type, an unknown uuid); `ShipmentUnavailable` when CDEK does not answer
    (CDEK sends the webhook again, and the reconciliation reads the order later anyway).
    """
    if not isinstance(data, dict) or data.get("type") != "ORDER_STATUS":
        return None
    uuid = str(data.get("uuid") or "").strip()
    shipment = Shipment.objects.filter(cdek_uuid=uuid).first() if uuid and len(uuid) <= 64 else None
    if shipment is None:
        logger.info("CDEK webhook about an unknown order %r ignored", uuid[:64])
        return None
    return shipment_refresh(shipment=shipment)


@dataclass
class Reconciled:
    checked: int = 0
    changed: int = 0
    unavailable: int = 0


def shipments_reconcile(*, limit: int = 1000) -> Reconciled:
    """Read every parcel still moving (`ShipmentState.OPEN`) back from CDEK and act on what changed.

    A CDEK that does not answer ends the round at once (the next round starts with the parcels read longest ago):
    a hung CDEK costs one timeout per round, not one per parcel."""
    result = Reconciled()
    shipments = Shipment.objects.filter(state__in=ShipmentState.OPEN).exclude(cdek_uuid="").order_by("updated_at")
    for shipment in shipments[:limit]:
        result.checked += 1
        before = (shipment.state, shipment.cdek_status)
        try:
            after = shipment_refresh(shipment=shipment)
        except ShipmentUnavailable:
            result.unavailable += 1
            break
        if (after.state, after.cdek_status) != before:
            result.changed += 1
    return result
