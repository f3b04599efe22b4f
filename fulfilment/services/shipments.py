"""Registering paid orders at CDEK, and acting on what CDEK says about them.

- `shipment_body(order)`: the `POST /v2/orders` body: the tariff the order was priced with, the recipient, the
  point or the address, one package (weight from the products, a box from the products or the default) and the
  items at their prices (the declared value; the customer has paid, so CDEK collects nothing).
- `shipment_register(order=...)`: registers the order once. The order is the key (one `Shipment` per order,
  claimed under the order's row lock); a caller that finds the order already registered, or being registered by
  another, reads it back instead; a claim whose caller died lapses (`claim_seconds()`), and the next caller
  first looks the order up at CDEK by the shop's number (`GET /v2/orders?im_number=`) before it posts again.
- `shipment_apply(shipment=..., answer=...)`: the one place that acts on CDEK's order (read back by the poll,
  a webhook or the reconciliation): registered (the order moves to «в обработке»), `INVALID` (CDEK's errors, in
  Russian for staff), shipped (tracking number, SMS), delivered, returned to the shop. Each happens once: a
  conditional UPDATE of the shipment's state decides who acts.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from delivery.cdek import CdekClient, CdekRefused, CdekUnavailable, request_errors
from delivery.models import DeliveryMethod
from delivery.selectors import delivery_city_code
from delivery.services import TARIFF_BY_METHOD
from fulfilment import notifications
from fulfilment.errors import ShipmentRefused, ShipmentUnavailable
from fulfilment.models import Shipment, ShipmentState
from orders.models import Order, OrderItem, OrderStatus
from orders.services import order_event_add, order_transition

logger = logging.getLogger("dwc.fulfilment")

CLAIM_SECONDS = 60
#: The most CDEK calls one registration makes: the look-up and the post, each with a token and one retry after a
#: token CDEK no longer takes.
CALLS_PER_REGISTRATION = 8


def claim_seconds() -> float:
    """How long a registration is its caller's: longer than its calls can wait on CDEK together, so a slow CDEK
    never lets a second caller post the order while the first is still waiting for its answer."""
    return max(CLAIM_SECONDS, (CALLS_PER_REGISTRATION + 2) * settings.CDEK_TIMEOUT)


#: Orders CDEK may take: paid and not yet on their way.
SHIPPABLE = (OrderStatus.PAID, OrderStatus.PROCESSING)

# What CDEK's status codes mean for the shop. Every other code after registration means the parcel is moving.
NOT_MOVING = {"ACCEPTED", "CREATED", "REMOVED", "INVALID"}
DELIVERED = {"DELIVERED"}
RETURNED = {"NOT_DELIVERED", "RETURNED_TO_SENDER_WAREHOUSE"}

# CDEK's error codes as staff read them; the English message CDEK gave follows.
CDEK_ERRORS = {
    "v2_recipient_phone_invalid": "Неверный телефон получателя",
    "v2_delivery_point_not_found": "Пункт выдачи не найден в СДЭК",
    "v2_tariff_not_found": "Тариф недоступен для этого направления",
    "v2_location_not_found": "СДЭК не знает адрес или город",
    "v2_field_is_empty": "Не заполнено поле",
    "v2_entity_not_found": "Заказ не найден в СДЭК",
    "v2_internal_error": "Внутренняя ошибка СДЭК",
}
CDEK_FIELDS = {
    "recipient.name": "имя получателя",
    "recipient.phones": "телефон получателя",
    "to_location.address": "адрес доставки",
    "delivery_point": "пункт выдачи",
    "packages": "упаковка",
}


def shipment_errors_text(errors: list[dict]) -> str:
    """CDEK's errors as one Russian line for staff (the code's meaning, then CDEK's own words)."""
    parts = []
    for error in errors or []:
        code, message = str(error.get("code") or ""), str(error.get("message") or "")
        text = CDEK_ERRORS.get(code, "СДЭК отклонил заказ")
        if code == "v2_field_is_empty" and ":" in message:
            field = message.split(":", 1)[1].strip()
            text = f"{text}: {CDEK_FIELDS.get(field, field)}"
        parts.append(f"{text} ({code}{': ' + message if message else ''})")
    return "; ".join(parts) or "СДЭК отклонил заказ без объяснений."


# --- The body CDEK gets ------------------------------------------------------------------------------------------
def _box(value: str) -> tuple[int, int, int]:
    """«30x20x5» (cm, any of x, х, ×) → (30, 20, 5)."""
    parts = [int(part) for part in str(value).lower().replace("×", "x").replace("х", "x").split("x")]
    if len(parts) != 3 or min(parts) <= 0:
        raise ValueError(f"not a box: {value!r}")
    return parts[0], parts[1], parts[2]


def shipment_package(items: list[OrderItem], *, number: str) -> dict:
    """One package: the units stacked (each product's box, or `CDEK_DEFAULT_BOX_CM`), weights added up."""
    default_box = _box(settings.CDEK_DEFAULT_BOX_CM)
    length = width = height = weight = 0
    lines = []
    for item in items:
        product = item.product
        unit_weight = product.weight_grams or settings.DELIVERY_DEFAULT_WEIGHT_GRAMS
        box = _box(product.box_cm) if product.box_cm else default_box
        length, width = max(length, box[0]), max(width, box[1])
        height += box[2] * item.quantity
        weight += unit_weight * item.quantity
        lines.append(
            {
                "name": f"{product.name} ({item.size})",
                "ware_key": f"{product.article}-{item.size}"[:50],
                "payment": {"value": 0},  # paid in advance: CDEK collects nothing
                "cost": float(item.price),  # the declared value
                "weight": unit_weight,
                "amount": item.quantity,
            }
        )
    return {"number": number, "weight": max(weight, 1), "length": length, "width": width,
            "height": min(height, 150), "items": lines}  # fmt: skip


def shipment_body(order: Order) -> dict:
    """The `POST /v2/orders` body of a paid order (see the module's docstring)."""
    items = list(order.items.select_related("product").order_by("id"))
    user = order.user
    tariff = TARIFF_BY_METHOD[DeliveryMethod(order.delivery_method)]
    body = {
        "type": 1,  # an online store's order
        "number": order.order_number,
        "tariff_code": tariff,
        "comment": f"Заказ {order.order_number}",
        "recipient": {"name": (user.full_name or "").strip(), "phones": [{"number": user.phone}]},
        "delivery_recipient_cost": {"value": 0},
        "packages": [shipment_package(items, number=f"{order.order_number}-1")],
    }
    if settings.CDEK_SHIPMENT_POINT:
        body["shipment_point"] = settings.CDEK_SHIPMENT_POINT  # the office the shop hands parcels to
    else:
        body["from_location"] = {"code": settings.CDEK_FROM_LOCATION}
    if order.delivery_method == DeliveryMethod.CDEK_PICKUP:
        body["delivery_point"] = order.cdek_point
    else:
        body["to_location"] = _courier_location(order.delivery_address, city=order.delivery_city)
    return body


def _courier_location(address: str, *, city: str = "") -> dict:
    """The courier's address and the code of the order's city, the one its delivery was priced for (an order
    placed before orders named their city: the address's first part, when CDEK knows it)."""
    location = {"address": address.strip()}
    if not city and "," in address:
        city = address.split(",", 1)[0].strip()
    if city:
        try:
            location["code"] = delivery_city_code(city=city)
        except Exception:  # an unknown city or a silent CDEK: CDEK reads the address itself
            logger.info("No CDEK city code for %r", city)
    return location


# --- Registering -------------------------------------------------------------------------------------------------
@transaction.atomic
def _shipment_claim(*, order: Order) -> tuple[Shipment, str | None]:
    """Take the order's registration, under its row lock: ("new" | "resume" | None = someone else's or done)."""
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    now = timezone.now()
    claim = now + timedelta(seconds=claim_seconds())
    shipment = Shipment.objects.filter(order=order).first()
    if shipment is None:
        if order.status not in SHIPPABLE:
            if order.status == OrderStatus.PENDING:
                raise ShipmentRefused("Заказ не оплачен: в СДЭК передаются только оплаченные заказы.",
                                      code="order_not_paid", status=order.status)  # fmt: skip
            raise ShipmentRefused(f"Заказ в статусе «{order.get_status_display()}» не передаётся в СДЭК.",
                                  status=order.status)  # fmt: skip
        shipment = Shipment.objects.create(
            order=order, claimed_until=claim, tariff_code=TARIFF_BY_METHOD[DeliveryMethod(order.delivery_method)]
        )
        return shipment, "new"
    if shipment.state == ShipmentState.INVALID and order.status in SHIPPABLE:
        # Staff fixed what CDEK refused: a new registration under the same number.
        Shipment.objects.filter(pk=shipment.pk).update(
            state=ShipmentState.REGISTERING, errors=[], cdek_uuid="", claimed_until=claim, updated_at=now
        )
        shipment.refresh_from_db()
        return shipment, "new"
    if shipment.state == ShipmentState.REGISTERING and (
        shipment.claimed_until is None or shipment.claimed_until < now
    ):
        Shipment.objects.filter(pk=shipment.pk).update(claimed_until=claim, updated_at=now)
        return shipment, "resume"
    return shipment, None


def shipment_new_check(*, order: Order) -> None:
    """A hand-over asked for explicitly (`POST orders/{n}/shipment/`) is refused, 409 `shipment_exists`, once CDEK
    has the order; one that is still registering or that CDEK refused (`INVALID`) carries on. (Bulk runs and
    repeats simply read the registration back: `shipment_register`.)"""
    existing = Shipment.objects.filter(order=order).first()
    if existing is not None and existing.state not in (ShipmentState.INVALID, ShipmentState.REGISTERING):
        raise ShipmentRefused(
            f"Заказ уже передан в СДЭК ({existing.cdek_number or existing.get_state_display()}).",
            code="shipment_exists",
        )


def shipment_register(*, order: Order) -> Shipment:
    """Register a paid order at CDEK, once (see the module's docstring); the shipment as it stands after.

    `ShipmentRefused` (409) for an order that is not paid or already on its way; `ShipmentUnavailable` (503)
    when CDEK does not answer (the next call carries on, looking the order up first).
    """
    shipment, mode = _shipment_claim(order=order)
    if mode is None:
        return shipment
    client = CdekClient.from_settings()
    try:
        answer = client.order_find(order.order_number) if mode == "resume" else None
        if answer is None:
            answer = client.order_create(shipment_body(Order.objects.select_related("user").get(pk=order.pk)))
    except CdekUnavailable as error:
        Shipment.objects.filter(pk=shipment.pk).update(claimed_until=None)  # the next caller looks it up first
        raise ShipmentUnavailable() from error
    except CdekRefused as refusal:
        Shipment.objects.filter(pk=shipment.pk).update(
            state=ShipmentState.INVALID, errors=refusal.errors, claimed_until=None, updated_at=timezone.now()
        )
        shipment.refresh_from_db()
        return shipment
    uuid = str((answer.get("entity") or {}).get("uuid") or "")
    Shipment.objects.filter(pk=shipment.pk, state=ShipmentState.REGISTERING).update(
        cdek_uuid=uuid, state=ShipmentState.ACCEPTED, claimed_until=None, updated_at=timezone.now()
    )
    shipment.refresh_from_db()
    logger.info("Order %s handed to CDEK: %s", order.order_number, uuid)
    return shipment_refresh(shipment=shipment, quiet=True)


def shipment_refresh(*, shipment: Shipment, quiet: bool = False) -> Shipment:
    """Read the shipment's order back from CDEK and act on it (`shipment_apply`). A silent CDEK changes nothing
    (`quiet`) or is `ShipmentUnavailable`."""
    if not shipment.cdek_uuid:
        return shipment
    try:
        answer = CdekClient.from_settings().order_get(shipment.cdek_uuid)
    except (CdekUnavailable, CdekRefused) as error:
        if quiet:
            return shipment
        raise ShipmentUnavailable() from error
    return shipment_apply(shipment=shipment, answer=answer)


# --- Acting on CDEK's word ---------------------------------------------------------------------------------------
def _request_state(answer: dict) -> str:
    states = [
        r.get("state") for r in answer.get("requests") or [] if isinstance(r, dict) and r.get("type") == "CREATE"
    ]
    return str(states[-1] if states else "")


def _move(shipment: Shipment, *, sources, **changes) -> bool:
    """The shipment moves from one of `sources`, once: only the caller whose UPDATE matched acts."""
    moved = Shipment.objects.filter(pk=shipment.pk, state__in=sources).update(updated_at=timezone.now(), **changes)
    if moved:
        for field, value in changes.items():
            setattr(shipment, field, value)
    return bool(moved)


@transaction.atomic
def shipment_apply(*, shipment: Shipment, answer: dict) -> Shipment:
    """Act once on CDEK's order `answer` (`GET /v2/orders/{uuid}`): see the module's docstring."""
    shipment = Shipment.objects.select_related("order__user").get(pk=shipment.pk)
    order = shipment.order
    entity = answer.get("entity") or {}
    if entity.get("uuid") and entity["uuid"] != shipment.cdek_uuid:
        logger.warning("CDEK answered for %s about %s: ignored", shipment.cdek_uuid, entity["uuid"])
        return shipment
    state = _request_state(answer)
    if state == "INVALID":
        if _move(shipment, sources=(ShipmentState.REGISTERING, ShipmentState.ACCEPTED),
                 state=ShipmentState.INVALID, errors=request_errors(answer)):  # fmt: skip
            logger.warning("CDEK refused order %s: %s", order.order_number, shipment.errors)
        return shipment
    number = str(entity.get("cdek_number") or "")
    if number and _move(shipment, sources=(ShipmentState.REGISTERING, ShipmentState.ACCEPTED),
                        state=ShipmentState.REGISTERED, cdek_number=number, errors=[],
                        registered_at=timezone.now()):  # fmt: skip
        moved = order_transition(
            order=order, to=OrderStatus.PROCESSING, message=f"Заказ передан в СДЭК, номер отправления {number}."
        )
        if not moved:
            order_event_add(order=order, message=f"Заказ передан в СДЭК, номер отправления {number}.")
    statuses = [s for s in entity.get("statuses") or [] if isinstance(s, dict) and s.get("code")]
    code = str(statuses[0]["code"]) if statuses else ""  # CDEK lists the newest status first
    if not code or shipment.state not in ShipmentState.AT_CDEK:
        return shipment
    if code != shipment.cdek_status:
        Shipment.objects.filter(pk=shipment.pk).update(cdek_status=code)
        shipment.cdek_status = code
    if code not in NOT_MOVING:  # on its way, delivered or coming back: it left the shop
        _shipment_shipped(shipment)
    if code in DELIVERED and _move(shipment, sources=(ShipmentState.SHIPPED,), state=ShipmentState.DELIVERED):
        order_transition(order=order, to=OrderStatus.DELIVERED, message="Заказ вручён.",
                         notify=notifications.notify_order_delivered)  # fmt: skip
    elif code in RETURNED and _move(shipment, sources=(ShipmentState.SHIPPED,), state=ShipmentState.RETURNED):
        order_event_add(order=order, message="Заказ не вручён: СДЭК возвращает посылку в магазин.")
        notifications.notify_parcel_returned(order)
    return shipment


def _shipment_shipped(shipment: Shipment) -> None:
    """CDEK has the parcel: the order is shipped with CDEK's number as its tracking number, once."""
    if not _move(shipment, sources=(ShipmentState.REGISTERED,), state=ShipmentState.SHIPPED):
        return
    order = shipment.order
    moved = order_transition(
        order=order,
        to=OrderStatus.SHIPPED,
        changes={"tracking_number": shipment.cdek_number},
        # The timeline links a tracking number to CDEK's tracking page by itself.
        message=f"Заказ передан в доставку, трек-номер {shipment.cdek_number}.",
        notify=notifications.notify_order_shipped,
    )
    if not moved:
        logger.info("Order %s was not shippable when CDEK took its parcel (%s)", order.order_number, order.status)
