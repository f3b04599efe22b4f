"""Draws (DESIGN.md, «Draws»): who may enter, one entry per person, and a drawn order anyone can recompute.

Fairness: a draw gets a secret seed (32 random bytes, hex) when it is first needed, before any entry exists; its
SHA-256 is published from then on. At the draw every entry that holds its payment is ranked by
`HMAC-SHA256(key=seed, message=str(entry id))` (hex, ties by id), and each size's units go to its entries in that
order; a winner whose hold cannot be captured is marked `passed_on` and the unit goes to the next entry of the
size. After the draw the seed, the ranked entry ids with their sizes, the units and the `passed_on` ids are
public: `draw_winners` is the whole rule, and `draw_public` all it needs.

The steps that talk to YooKassa (holding, capturing, cancelling) are the orders app's
(`orders.services.draws`); here are the rules and the rows: conditional state updates, so each entry moves once
whoever runs the draw and however often it is restarted.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.services import buyer_verified_require
from catalog.caching import catalog_changed
from catalog.errors import InvalidSize
from catalog.models import Product, ProductStock
from config.russian import datetime_ru
from drops.errors import DrawRefused
from drops.models import Draw, DrawEntry, DrawEntryStatus
from drops.pausing import sale_paused_check

LEASE = timedelta(minutes=2)


# --- The seed and the order ------------------------------------------------------------------------------------
def seed_hash_of(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def draw_rank_key(*, seed: str, entry_id: int) -> str:
    """An entry's key in the drawn order: HMAC-SHA256 of its id (decimal text) under the seed (text), in hex."""
    return hmac.new(seed.encode(), str(entry_id).encode(), hashlib.sha256).hexdigest()


def draw_order(*, seed: str, entry_ids) -> list[int]:
    """The drawn order of the entries: by their keys, ties (never seen) by id."""
    return sorted(entry_ids, key=lambda entry_id: (draw_rank_key(seed=seed, entry_id=entry_id), entry_id))


def draw_winners(*, seed: str, entries: dict[int, str], units: dict[str, int], passed_on=()) -> set[int]:
    """The winners: in drawn order, each size's units to its entries, skipping those whose capture failed."""
    left, passed, winners = dict(units), set(passed_on), set()
    for entry_id in draw_order(seed=seed, entry_ids=entries):
        size = entries[entry_id]
        if entry_id not in passed and left.get(size, 0) > 0:
            left[size] -= 1
            winners.add(entry_id)
    return winners


def draw_for(*, product: Product) -> Draw:
    """The product's draw, made with its secret seed the first time anything asks (before any entry can)."""
    draw = Draw.objects.filter(pk=product.pk).first()
    if draw is not None:
        return draw
    seed = secrets.token_hex(32)
    try:
        with transaction.atomic():
            return Draw.objects.create(product=product, seed=seed, seed_hash=seed_hash_of(seed))
    except IntegrityError:
        return Draw.objects.get(pk=product.pk)


# --- Where a draw stands ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DrawState:
    """What pages and the API say about a draw: `phase` is `upcoming`, `open`, `closed` (the draw is due or
    running) or `done`."""

    phase: str
    opens_at: datetime | None
    closes_at: datetime | None
    seed_hash: str
    seed: str | None  # only once the draw is done
    hold_warning: bool

    @property
    def is_open(self) -> bool:
        return self.phase == "open"


def draw_state(*, product: Product, draw: Draw | None = None, now: datetime | None = None) -> DrawState:
    now = now or timezone.now()
    draw = draw or draw_for(product=product)
    if draw.finished_at is not None:
        phase = "done"
    elif product.draw_closes_at and now >= product.draw_closes_at:
        phase = "closed"
    elif product.draw_opens_at is None or now >= product.draw_opens_at:
        phase = "open"
    else:
        phase = "upcoming"
    return DrawState(
        phase=phase,
        opens_at=product.draw_opens_at,
        closes_at=product.draw_closes_at,
        seed_hash=draw.seed_hash,
        seed=draw.seed if draw.finished_at is not None else None,
        hold_warning=product.draw_holds_lapse,
    )


# --- Entering -----------------------------------------------------------------------------------------------------
def draw_entry_check(*, product: Product, user, size: str, now: datetime | None = None) -> str:
    """Refuse an entry the draw cannot take; returns the size as the product spells it.

    Only a verified buyer enters (`buyer_verified_require`), while entries are open and the sale is not paused.
    """
    now = now or timezone.now()
    if not product.is_draw:
        raise DrawRefused("Этот товар не разыгрывается.", code="draw_not_available")
    sale_paused_check(product=product)
    buyer_verified_require(user)
    if product.draw_opens_at and now < product.draw_opens_at:
        raise DrawRefused(
            f"Приём заявок откроется {datetime_ru(product.draw_opens_at)} (МСК).", code="draw_not_open"
        )
    if product.draw_closes_at is None or now >= product.draw_closes_at:
        raise DrawRefused("Приём заявок закрыт.", code="draw_closed")
    labels = {label.casefold(): label for label in product.size_labels}
    label = labels.get(str(size or "").strip().casefold())
    if label is None:
        raise InvalidSize(f"У «{product.name}» нет размера «{size}».")
    return label


def draw_entry_create(*, product: Product, user, size: str, delivery, city: str = "", price) -> DrawEntry:
    """The buyer's one entry (`pending` until the hold arrives); a second live one is refused."""
    draw = draw_for(product=product)
    try:
        with transaction.atomic():
            entry = DrawEntry.objects.create(
                draw=draw,
                user=user,
                phone=user.phone,
                size=size,
                delivery_method=delivery.method,
                delivery_address=delivery.address,
                city=(city or "")[:128],
                cdek_point=delivery.point_code,
                cdek_point_name=delivery.point_name[:255],
                cdek_point_address=delivery.point_address[:500],
                price=price,
                delivery_amount=delivery.amount,
                amount=price + delivery.amount,
            )
    except IntegrityError:
        raise DrawRefused(
            "Вы уже участвуете в этом розыгрыше: одна заявка на человека.", code="draw_already_entered"
        ) from None
    return entry


def draw_entry_of(*, product_id: int, user) -> DrawEntry | None:
    """The account's live entry (else its latest cancelled one), or None."""
    entries = DrawEntry.objects.filter(draw_id=product_id, user=user).order_by("-id")
    return entries.exclude(status=DrawEntryStatus.CANCELLED).first() or entries.first()


def entry_move(*, entry_id: int, sources, target: str, **fields) -> bool:
    """Move an entry from one of `sources` to `target`, once: a conditional UPDATE (False when it had moved)."""
    moved = DrawEntry.objects.filter(pk=entry_id, status__in=list(sources)).update(
        status=target, updated_at=timezone.now(), **fields
    )
    return bool(moved)


# --- Drawing ------------------------------------------------------------------------------------------------------
def draw_lease_take(*, product_id: int, now: datetime | None = None) -> bool:
    """Claim the draw for this runner for `LEASE` (renewed per batch); False while another runner holds it."""
    now = now or timezone.now()
    return bool(
        Draw.objects.filter(pk=product_id, finished_at__isnull=True)
        .filter(Q(runner_until__isnull=True) | Q(runner_until__lt=now))
        .update(runner_until=now + LEASE)
    )


@transaction.atomic
def draw_fix_order(*, product_id: int, now: datetime | None = None) -> bool:
    """Once: rank every entry that holds its payment and fix the units per size (the stock now); pending entries
    take no part. True when this call fixed it."""
    now = now or timezone.now()
    draw = Draw.objects.select_for_update().get(pk=product_id)
    if draw.drawn_at is not None:
        return False
    entries = list(DrawEntry.objects.filter(draw=draw, status=DrawEntryStatus.ENTERED).only("pk", "rank"))
    places = {
        entry_id: place
        for place, entry_id in enumerate(draw_order(seed=draw.seed, entry_ids=[e.pk for e in entries]))
    }
    for entry in entries:
        entry.rank = places[entry.pk]
    DrawEntry.objects.bulk_update(entries, ["rank"], batch_size=500)
    draw.units = dict(ProductStock.objects.filter(product_id=product_id).values_list("size", "quantity"))
    draw.drawn_at = now
    draw.save(update_fields=["units", "drawn_at"])
    return True


def draw_units_left(*, draw: Draw) -> dict[str, int]:
    """Units not yet given, per size: the fixed units less the entries won or being won."""
    taken = dict(
        DrawEntry.objects.filter(draw=draw, status__in=(DrawEntryStatus.WON, DrawEntryStatus.WINNING))
        .values("size")
        .annotate(n=Count("pk"))
        .values_list("size", "n")
    )
    return {size: units - taken.get(size, 0) for size, units in draw.units.items()}


def draw_finish(*, product_id: int, now: datetime | None = None) -> bool:
    """Done when no ranked entry is left to move: the seed becomes public."""
    now = now or timezone.now()
    unfinished = DrawEntry.objects.filter(
        draw_id=product_id,
        rank__isnull=False,
        status__in=(DrawEntryStatus.ENTERED, DrawEntryStatus.WINNING, DrawEntryStatus.LOSING),
    ).exists()
    if unfinished:
        return False
    finished = Draw.objects.filter(pk=product_id, finished_at__isnull=True, drawn_at__isnull=False).update(
        finished_at=now, runner_until=None
    )
    if finished:
        catalog_changed(product_ids=[product_id])
    return bool(finished)


# --- What anyone may read -------------------------------------------------------------------------------------
def draw_public(*, draw: Draw) -> dict:
    """The published data: before the draw only the seed's hash; after it, everything the winners follow from."""
    data = {"seed_hash": draw.seed_hash, "seed": None, "units": None, "entries": None, "passed_on": None,
            "winners": None}  # fmt: skip
    if draw.finished_at is None:
        return data
    ranked = list(
        DrawEntry.objects.filter(draw=draw, rank__isnull=False)
        .order_by("rank")
        .values_list("pk", "size", "passed_on", "status")
    )
    data.update(
        seed=draw.seed,
        units=draw.units,
        entries=[{"id": pk, "size": size} for pk, size, _, _ in ranked],
        passed_on=[pk for pk, _, passed, _ in ranked if passed],
        winners=[pk for pk, _, _, status in ranked if status == DrawEntryStatus.WON],
    )
    return data
