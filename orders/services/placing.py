"""Placing an order, all or nothing, in named steps (as django-oscar's `OrderCreator` reads):

resolve the items → choose and price the delivery → check the drop (sale started, queue admission) →
lock the customer and check their caps → price them → write the order, its in-stock items and first event
(no shared rows locked yet) → reserve units (locks) → write the preorder items → count the promo use → the
preorder timeline → (after commit) create the payment, or leave it to the worker.

Every writer takes its locks in one order: the customer (only for capped products or per-customer codes),
preorder products, stock rows, waves (each by primary key), then the promo code, so concurrent orders queue
instead of deadlocking. Counters move by conditional updates that
database checks back, so nothing is oversold whatever the concurrency, on PostgreSQL and on SQLite alike.
"""

import copy
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import buyer_verified_require, user_remember_delivery
from catalog.errors import OutOfStock
from catalog.models import Product
from catalog.selectors import ItemRequest, items_resolve
from catalog.services import stock_take
from config.errors import DomainError
from config.idempotency import request_fingerprint_check
from config.money import money
from delivery.errors import DeliveryUnavailable
from delivery.models import DeliveryMethod
from delivery.selectors import delivery_city_name, delivery_items_weight, delivery_point_get
from delivery.services import delivery_method_infer, delivery_quote
from drops.services import drop_sale_check, queue_admission_check
from orders import notifications
from orders.errors import OrderInvalid
from orders.models import Order, OrderEvent, OrderItem, OrderStatus, PaymentStatus
from orders.selectors import order_for_checkout
from orders.services.lifecycle import EVENT_MESSAGES, order_payment_transition
from orders.services.paying import order_payment_begin
from orders.services.pricing import Pricing, discount_split, items_price, order_quote
from preorders.errors import WaveCapacityExceeded
from preorders.models import PreorderStatus, PreorderWave, WaveStatus
from preorders.services import (
    product_refresh_preorder_state,
    wave_ships_on_text,
    waves_allocate,
    waves_free_units,
    waves_lock,
)
from promos.models import PromoCode
from promos.services import (
    promo_customer_needs_check,
    promo_find,
    promo_use,
)


@dataclass(frozen=True)
class Shortage:
    """One item the shop cannot cover, with what is left: the 409's `lines` entry."""

    product: int
    size: str
    requested: int
    available: int
    code: str  # insufficient_stock or waves_full
    label: str  # how the customer reads the item

    def as_detail(self) -> dict:
        detail = asdict(self)
        del detail["label"]
        return detail


@dataclass(frozen=True)
class Delivery:
    """How the order travels and what that costs: the method, the address or the point (with its snapshot)."""

    method: str
    amount: Decimal
    address: str = ""
    city: str = ""  # a courier's city, which its price follows
    point_code: str = ""
    point_name: str = ""
    point_address: str = ""


def order_number_for(*, order: Order) -> str:
    """`DWC-<year>-<6 digits>`: unique because the digits are the order's primary key."""
    year = timezone.localtime(order.created_at).year if order.created_at else timezone.localdate().year
    return f"DWC-{year}-{order.pk:06d}"


# --- The steps ------------------------------------------------------------------------------------------------
def order_delivery_choose(*, items: list[dict], method: str, address: str, cdek_point: str, city: str) -> Delivery:
    """The delivery step (also the checkout's price preview): the method (inferred when not given; neither a point nor an address is
    `DeliveryRequired`), the pickup point checked against CDEK's list and snapshot (an unknown code is
    `CdekPointUnknown`), and the price from `delivery_quote` for the parcel's weight, never from the client.

    When CDEK cannot be asked (not configured, slow, down) a point's code is kept as given, unchecked, and the flat
    price applies: the order goes through.
    """
    address, cdek_point = (address or "").strip(), (cdek_point or "").strip()
    method = delivery_method_infer(method=method or "", cdek_point=cdek_point, address=address)
    weight = delivery_items_weight(items=_weighed(items))
    if method == DeliveryMethod.COURIER:
        city = delivery_city_name(city)
        quote = delivery_quote(weight_grams=weight, method=method, city=city)
        return Delivery(method=method, amount=money(quote.amount), address=address, city=city)
    try:
        point = delivery_point_get(code=cdek_point)
    except DeliveryUnavailable:
        point = None  # CDEK does not answer: the code as given, the flat price
    quote = delivery_quote(weight_grams=weight, method=method, point=point or cdek_point)
    return Delivery(
        method=method,
        amount=money(quote.amount),
        address=address,
        point_code=point.code if point else cdek_point,
        point_name=point.name if point else "",
        point_address=point.address_full if point else "",
    )


def _weighed(items: list[dict]) -> list[dict]:
    """The items as the weight needs them; anything malformed weighs the default (`items_resolve` refuses it)."""
    weighed = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item.get("product") if isinstance(item, dict) else None, Product):
            weighed.append({"product": item["product"], "quantity": int(item.get("quantity") or 1)})
            continue
        try:
            product = int(getattr(item["product"], "pk", item["product"]))
            quantity = int(item.get("quantity") or 1)
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if 0 < product < 2**63 and 0 < quantity < 2**31:
            weighed.append({"product": product, "quantity": quantity})
    return weighed


def order_buyer_check(*, user, items: list[ItemRequest]) -> None:
    """A product with `max_per_customer` is for verified buyers only (`buyer_verified_require`): a cap per
    customer counts people, and a free account is not one more. No query."""
    if any(item.product.max_per_customer is not None for item in items):
        buyer_verified_require(user)


def _customer_lock(*, user, items: list[ItemRequest], promo: PromoCode | None) -> None:
    """Per-customer caps (a product's `max_per_customer`, a code's per-customer terms) are counted over the
    customer's live orders (`order_quote`) while their user row is locked: the first lock of the shop's lock
    order, so one customer's concurrent orders are judged one after another and nobody else waits. `FOR NO KEY
    UPDATE` does not conflict with the key-share lock an order row's foreign key takes. Nothing when there is no
    cap."""
    capped = any(item.product.max_per_customer is not None for item in items)
    if capped or promo_customer_needs_check(promo):
        list(get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk"))


def _pay_by(*, items: list[ItemRequest], now) -> datetime:
    """The order's time to pay: the shortest `payment_timeout` of its products. A product's timeout only ever
    shortens the shop's `ORDER_PAYMENT_TIMEOUT` (it lets a drop's units come back sooner)."""
    minutes = min(
        (item.product.payment_timeout for item in items if item.product.payment_timeout),
        default=settings.ORDER_PAYMENT_TIMEOUT,
    )
    minutes = min(minutes, settings.ORDER_PAYMENT_TIMEOUT)
    return now + timedelta(minutes=minutes)


def _order_write(
    *,
    user,
    items: list[ItemRequest],
    pricing: Pricing,
    promo,
    delivery: Delivery,
    checkout_key: str = "",
    checkout_hash: str = "",
) -> Order:
    now = timezone.now()
    order = Order(
        # A stand-in, unique and never shown: the number is made from the primary key the insert gives.
        order_number=f"new-{secrets.token_hex(12)}",
        user=user,
        created_at=now,
        total_amount=pricing.total,
        discount_amount=pricing.discount,
        delivery_amount=pricing.delivery,
        final_amount=pricing.final,
        promo_code=promo,
        pay_by=_pay_by(items=items, now=now),
        delivery_method=delivery.method,
        delivery_address=delivery.address,
        delivery_city=delivery.city[:100],
        cdek_point=delivery.point_code,
        cdek_point_name=delivery.point_name[:255],
        cdek_point_address=delivery.point_address[:500],
        checkout_key=checkout_key,
        checkout_hash=checkout_hash,
    )
    if pricing.final == 0:
        order.status, order.payment_status, order.paid_at = OrderStatus.PAID, PaymentStatus.SUCCEEDED, now
    # A new order's audit row would repeat the order row itself (no one changed anything yet): not written.
    # Every later change of the order is recorded as before.
    order.save_without_historical_record(force_insert=True)
    order.order_number = order_number_for(order=order)
    Order.objects.filter(pk=order.pk).update(order_number=order.order_number)
    return order


def _products_lock(*, items: list[ItemRequest]) -> None:
    """Lock preorder products (their `order_type` follows their waves) and read their type under the lock."""
    if not items:
        return
    locked = dict(
        Product.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in={item.product.pk for item in items})
        .order_by("pk")
        .values_list("pk", "order_type")
    )
    for item in items:
        item.product.order_type = locked.get(item.product.pk, item.product.order_type)


def _label(item: ItemRequest) -> str:
    if item.product.is_preorder:
        return f"«{item.product.name}» (предзаказ)"
    return f"«{item.product.name}», размер {item.size}"


def _shortages(*, items: list[ItemRequest], stock_short: dict, waves: dict) -> list[Shortage]:
    """Every item the shop cannot cover, in the customer's order. Units of one preorder product add up over its
    sizes (its waves count all sizes together); `stock_short` is what `stock_take` found short."""
    wanted: dict[int, int] = {}
    for item in items:
        if item.product.is_preorder:
            wanted[item.product.pk] = wanted.get(item.product.pk, 0) + item.quantity
    short, seen = [], set()
    for item in items:
        product = item.product
        if product.is_preorder:
            if product.pk in seen:
                continue
            seen.add(product.pk)
            available, requested, code = (
                waves_free_units(product=product, waves=waves[product.pk]),
                wanted[product.pk],
                WaveCapacityExceeded.code,
            )
            if requested <= available:
                continue
        elif (product.pk, item.size) in stock_short:
            available, requested, code = stock_short[(product.pk, item.size)], item.quantity, OutOfStock.code
        else:
            continue
        short.append(Shortage(product.pk, item.size, requested, max(available, 0), code, _label(item)))
    return short


def _refusal(short: list[Shortage]) -> OutOfStock | WaveCapacityExceeded:
    """One refusal naming every short item (stock first: it is the usual case)."""
    text = "; ".join(f"{s.label} — осталось {s.available} шт." for s in short)
    if any(s.code == OutOfStock.code for s in short):
        error, lead = OutOfStock, "Недостаточно товара"
    else:
        error, lead = WaveCapacityExceeded, "Не хватает мест в волнах предзаказа"
    return error(f"{lead}: {text}", available=short[0].available, lines=[s.as_detail() for s in short])


def _reserve(*, items: list[ItemRequest]) -> dict[int, list[PreorderWave]]:
    """Take stock and lock waves (in the shop's lock order); refuse, naming every short item, when short."""
    preorder_items = [item for item in items if item.product.is_preorder]
    _products_lock(items=preorder_items)
    stock_short = stock_take(
        quantities={(item.product.pk, item.size): item.quantity for item in items if not item.product.is_preorder}
    )
    waves = waves_lock(product_ids=[item.product.pk for item in preorder_items])
    short = _shortages(items=items, stock_short=stock_short, waves=waves)
    if short:
        raise _refusal(short)  # the transaction gives back any stock already taken
    return waves


def _stock_items_write(*, order: Order, items: list[ItemRequest], pricing: Pricing) -> list[OrderItem]:
    """One order item per in-stock item. They need no reservation to be written, so they go in before any lock
    is taken (the transaction takes them back if the stock is short)."""
    rows = [
        OrderItem(
            order=order,
            product=item.product,
            size=item.size,
            quantity=item.quantity,
            price=item.product.price,
            discount_amount=discount,
            final_amount=item.line_total - discount,
        )
        for item, discount in zip(items, pricing.line_discounts, strict=True)
        if not item.product.is_preorder
    ]
    return OrderItem.objects.bulk_create(rows)


def _items_write(*, order: Order, items: list[ItemRequest], waves: dict, pricing: Pricing) -> list[OrderItem]:
    """Preorder items: each split over the waves that take its units, one order item per wave."""
    rows = []
    for item, discount in zip(items, pricing.line_discounts, strict=True):
        product = item.product
        if not product.is_preorder:
            continue
        allocated = waves_allocate(product=product, waves=waves[product.pk], quantity=item.quantity)
        shares = discount_split(discount=discount, quantities=[units for _, units in allocated])
        for (wave, units), share in zip(allocated, shares, strict=True):
            rows.append(
                OrderItem(
                    order=order,
                    product=product,
                    size=item.size,
                    quantity=units,
                    price=product.price,
                    discount_amount=share,
                    final_amount=product.price * units - share,
                    is_preorder=True,
                    preorder_wave=wave,
                )
            )
    for product in {item.product.pk: item.product for item in items if item.product.is_preorder}.values():
        product_refresh_preorder_state(product=product, waves=waves[product.pk])
    return OrderItem.objects.bulk_create(rows)


def _timeline_start(*, order: Order) -> list[OrderEvent]:
    events = [OrderEvent(order=order, status=OrderStatus.PENDING, message=EVENT_MESSAGES[OrderStatus.PENDING])]
    if order.status == OrderStatus.PAID:
        events.append(OrderEvent(order=order, status=OrderStatus.PAID, message=EVENT_MESSAGES[OrderStatus.PAID]))
    return OrderEvent.objects.bulk_create(events)


def _preorder_timeline_start(*, order: Order, rows: list[OrderItem]) -> list[PreorderStatus]:
    waves = {row.preorder_wave.pk: row.preorder_wave for row in rows if row.is_preorder}
    if not waves:
        return []
    return PreorderStatus.objects.bulk_create(
        PreorderStatus(
            order=order,
            wave=wave,
            status=WaveStatus.COLLECTING,
            status_message=f"Заказ принят в волну {wave.wave_number} предзаказа.{wave_ships_on_text(wave=wave)}",
        )
        for wave in waves.values()
    )


def order_place(
    *,
    user,
    items: list[dict],
    promo_code: str | None = None,
    delivery_method: str = "",
    delivery_address: str = "",
    cdek_point: str = "",
    city: str = "",
    checkout_key: str = "",
    checkout_hash: str = "",
) -> Order:
    """Place an order, all or nothing.

    Items are checked (see `items_resolve`); in-stock units are reserved per size; preorder units go to the open
    waves in wave order, one order item per wave, and the product turns `waiting` when its last wave fills; a
    promo code is applied and its use counted. Amounts come from database prices; delivery from CDEK's calculator
    (see `order_delivery_choose`; `city` prices a courier). One refusal names every short item. After commit, before this returns,
    the payment is created (`order_payment_begin`: short timeout, the breaker; the worker when YooKassa cannot
    answer); an order with nothing to pay is paid at once. The customer's profile keeps the first delivery
    address and pickup point they give (`user_remember_delivery`).

    A drop is refused before its `sale_starts_at` and, while its waiting room runs, without an admission; a
    product's `max_per_customer` (which only a verified buyer may order) and a code's per-customer terms hold
    over the customer's live orders. The order must be paid within the shortest `payment_timeout` of its products.

    `checkout_key` names the checkout (a form token, an `Idempotency-Key`): a customer's key places one order
    whatever the repeats, and every submit of it gets that order back. Concurrent submits meet at the order's
    unique (user, key) index: the later insert waits for the first transaction and, once it commits, gives way.
    `checkout_hash` is what the request asked (`config.idempotency.request_fingerprint`): the key reused with
    another body is `IdempotencyKeyReused` (422), never the first order passed off as the second's.
    """
    if not user or not getattr(user, "is_authenticated", False):
        raise OrderInvalid("Войдите, чтобы оформить заказ.", code="not_authenticated")
    # The checkout key is not looked up first: the order's insert meets an earlier order of the same key at the
    # unique (user, key) index, and only then (or when a check refuses a repeat) is the earlier order read.
    try:
        resolved, delivery = _items_and_delivery(
            items=items, method=delivery_method, address=delivery_address, cdek_point=cdek_point, city=city
        )
        order = _order_place(
            user=user,
            items=resolved,
            promo_code=promo_code,
            delivery=delivery,
            checkout_key=checkout_key,
            checkout_hash=checkout_hash,
        )
    except (IntegrityError, DomainError):
        # A repeat of a placed checkout gets that order, whatever a check now says (its admission used, its
        # units taken by the first submit).
        placed = _order_for_checkout(user=user, checkout_key=checkout_key, checkout_hash=checkout_hash)
        if placed is None:
            raise
        return placed
    # Whatever the channel (storefront, API), the first delivery details fill the customer's empty profile fields.
    user_remember_delivery(user=user, address=order.delivery_address, cdek_point=order.cdek_point)
    return order


def _items_and_delivery(
    *, items: list[dict], method: str, address: str, cdek_point: str, city: str
) -> tuple[list[ItemRequest], Delivery]:
    """The checkout's items and its delivery, checked before the order's transaction opens.

    A missing delivery is refused first, then the items; their products are read once, here, for the parcel's
    weight and the order alike. CDEK is asked before the transaction: a slow answer never holds a database lock
    (SQLite's IMMEDIATE transactions lock writers out from their first statement).
    """
    delivery_method_infer(method=method or "", cdek_point=cdek_point, address=address)
    resolved = items_resolve(items=items)
    delivery = order_delivery_choose(
        items=[{"product": item.product, "quantity": item.quantity} for item in resolved],
        method=method,
        address=address,
        cdek_point=cdek_point,
        city=city,
    )
    return resolved, delivery


def _order_for_checkout(*, user, checkout_key: str, checkout_hash: str) -> Order | None:
    placed = order_for_checkout(user=user, checkout_key=checkout_key)
    if placed is not None:
        request_fingerprint_check(stored=placed.checkout_hash, given=checkout_hash)
    return placed


@transaction.atomic
def _order_place(
    *,
    user,
    items: list[ItemRequest],
    promo_code: str | None,
    delivery: Delivery,
    checkout_key: str = "",
    checkout_hash: str = "",
) -> Order:
    resolved = items
    drop_sale_check(items=resolved)
    queue_admission_check(user=user, items=resolved)
    order_buyer_check(user=user, items=resolved)
    promo = promo_find(code=promo_code) if promo_code and str(promo_code).strip() else None
    _customer_lock(user=user, items=resolved, promo=promo)
    quote = order_quote(user=user, items=resolved, promo=promo, delivery=delivery.amount)
    quote.check()
    pricing = quote.pricing
    # The order row, its in-stock items and its first event are written before the shared rows are locked, so
    # those locks (a hot product's stock row above all) are held only for the counters and the commit (and a
    # repeated checkout waits here, on the unique key).
    order = _order_write(
        user=user,
        items=resolved,
        pricing=pricing,
        promo=promo,
        delivery=delivery,
        checkout_key=checkout_key,
        checkout_hash=checkout_hash,
    )
    stock_rows = _stock_items_write(order=order, items=resolved, pricing=pricing)
    events = _timeline_start(order=order)
    waves = _reserve(items=resolved)
    rows = _items_write(order=order, items=resolved, waves=waves, pricing=pricing)
    if promo is not None:
        promo_use(promo=promo)
    statuses = _preorder_timeline_start(order=order, rows=rows)
    # What was written, for an answer made without reading it back (`orders.selectors.order_as_placed`).
    order.placed_rows = {"items": [*stock_rows, *rows], "events": events, "preorder_statuses": statuses}
    if order.status == OrderStatus.PAID:
        notifications.notify_order_paid(order)
    else:
        # On commit, before `order_place` returns: the payment is created with no transaction open.
        transaction.on_commit(lambda: order_payment_begin(order_id=order.pk), robust=True)
    return order


def order_place_for_hold(
    *, user, product: Product, size: str, price: Decimal, delivery: Delivery, payment_id: str, key: str
) -> Order:
    """The order of one unit whose payment is already held (a draw's winner), once per `key` (the entry).

    The draw is the sale's own gate, so the first-come checks (sale start, queue, caps) do not apply; the unit is
    taken from stock as any order's (`OutOfStock` when it is gone); the unit's `price` and the delivery are the
    ones the hold was made for at the entry (staff may have changed the product's price since). The order waits for its capture (`waiting_for_capture`); nothing is asked of YooKassa here.
    """
    placed = order_for_checkout(user=user, checkout_key=key)
    if placed is not None:
        return placed
    try:
        held = copy.copy(product)  # priced as held, whatever the product costs today
        held.price = price
        return _order_place_for_hold(
            user=user, product=held, size=size, delivery=delivery, payment_id=payment_id, key=key
        )
    except IntegrityError:
        placed = order_for_checkout(user=user, checkout_key=key)
        if placed is None:
            raise
        return placed


@transaction.atomic
def _order_place_for_hold(*, user, product, size, delivery: Delivery, payment_id: str, key: str) -> Order:
    resolved = [ItemRequest(product=product, size=size, quantity=1)]
    pricing = items_price(items=resolved, promo=None, delivery=delivery.amount)
    order = _order_write(
        user=user, items=resolved, pricing=pricing, promo=None, delivery=delivery, checkout_key=key
    )
    # Captured by the draw within minutes; the unpaid orders' expiry must not close it meanwhile.
    order_payment_transition(
        order=order,
        to=PaymentStatus.WAITING_FOR_CAPTURE,
        changes={"payment_id": payment_id, "pay_by": order.created_at + timedelta(days=1)},
    )
    _stock_items_write(order=order, items=resolved, pricing=pricing)
    _timeline_start(order=order)
    _reserve(items=resolved)
    return order
