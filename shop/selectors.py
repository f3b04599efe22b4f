"""Reads of the storefront pages. Each owns its prefetches so a page's query count does not grow with its rows."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from catalog.filters import ProductFilter
from catalog.models import Product, ProductStock
from drops.draws import DrawState, draw_state
from drops.services import PlaceStatus, QueuePlace, queue_place, queue_schedule
from pages.models import Page

# The largest database id: anything larger is no product, and must not reach the database as a number.
MAX_ID = 2**63 - 1


# «осталось 2»: a size with this many units or fewer says how many are left.
FEW_LEFT = 5


@dataclass(frozen=True)
class SizeChoice:
    label: str
    available: bool
    # Units left when they are few (1…FEW_LEFT) and counted per size (in-stock products); None otherwise.
    few_left: int | None = None


@dataclass(frozen=True)
class WaveProgress:
    number: int
    total: int
    count: int
    capacity: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.capacity) if self.capacity else 100


def catalog_products(
    *,
    order_type: str = "",
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    search: str = "",
    ordering: str = "",
) -> QuerySet[Product]:
    """Visible products for the catalog, with their pictures, stock totals and waves.

    `ordering` is `price` (cheapest first), `-price`, or empty for the newest first.
    """
    products = Product.objects.visible().with_stock_total().prefetch_related("media", "waves")
    if order_type == Product.OrderType.PREORDER:
        # Customers look for "preorders"; a waiting product is a preorder with every wave full.
        products = products.filter(order_type__in=[Product.OrderType.PREORDER, Product.OrderType.WAITING])
    elif order_type:
        products = products.filter(order_type=order_type)
    # Price and text search follow the API's catalog filter, so both storefronts find the same products.
    criteria = {"min_price": min_price, "max_price": max_price, "search": search}
    products = ProductFilter(data={k: v for k, v in criteria.items() if v not in (None, "")}, queryset=products).qs
    sorting = {"price": ("price", "-id"), "-price": ("-price", "-id")}.get(ordering, ("-created_at", "-id"))
    return products.order_by(*sorting)


def product_for_page(*, key: str) -> Product:
    """A visible product by id or slug, with everything its page shows; Http404 otherwise."""
    products = Product.objects.visible().prefetch_related("media", "stock", "waves")
    if key.isdecimal():
        if int(key) > MAX_ID:
            raise Http404("Товар не найден")
        lookup = {"pk": int(key)}
    else:
        lookup = {"slug": key}
    product = products.filter(**lookup).first()
    if product is None:
        raise Http404("Товар не найден")
    return product


def product_is_orderable(product: Product) -> bool:
    """In stock with some size on hand, or a preorder with room in an open wave (uses prefetched rows)."""
    if product.order_type == Product.OrderType.IN_STOCK:
        return any(row.quantity > 0 for row in product.stock.all())
    if product.order_type == Product.OrderType.PREORDER:
        return bool(product.open_waves())
    return False


def product_size_choices(product: Product) -> list[SizeChoice]:
    """Every size of the product and whether it can be ordered now (uses prefetched stock and waves)."""
    if product.order_type == Product.OrderType.IN_STOCK:
        on_hand = {row.size: row.quantity for row in product.stock.all()}
        return [
            SizeChoice(label, on_hand.get(label, 0) > 0, _few(on_hand.get(label, 0)))
            for label in product.size_labels
        ]
    has_room = product.order_type == Product.OrderType.PREORDER and bool(product.open_waves())
    return [SizeChoice(label, has_room) for label in product.size_labels]


def _few(units: int) -> int | None:
    return units if 0 < units <= FEW_LEFT else None


def product_units_available(product: Product) -> dict[str, int]:
    """How many units of each size can be ordered now (uses prefetched stock and waves).

    In-stock products count per size; a preorder's sizes share the room left in its open waves, so the
    number is the same for each size (a cart's lines of one preorder product share it too).
    """
    if product.order_type == Product.OrderType.IN_STOCK:
        on_hand = {row.size: row.quantity for row in product.stock.all()}
        return {label: on_hand.get(label, 0) for label in product.size_labels}
    room = (
        sum(wave.free for wave in product.open_waves()) if product.order_type == Product.OrderType.PREORDER else 0
    )
    return {label: room for label in product.size_labels}


def product_wave_progress(product: Product) -> WaveProgress | None:
    """«Волна 2 из 3 · 14 из 50»: the wave new units go to and how full it is."""
    if not product.is_preorder:
        return None
    waves = list(product.waves.all())
    wave = product.wave_current(waves)
    if wave is None:
        return None
    return WaveProgress(
        number=wave.wave_number, total=len(waves), count=wave.current_count, capacity=wave.capacity
    )


@dataclass(frozen=True)
class DropState:
    """What the product page says about a drop's start: the countdown, the waiting room, the cap."""

    starts_at: datetime | None
    started: bool
    queue: bool
    queue_opens_at: datetime | None
    queue_open: bool
    place: QueuePlace | None
    cap: int | None
    paused: bool = False
    # A signed-in buyer who has not proved the phone yet: the page offers the code before the queue or the cap
    # refuses (`buyer_verified_require` decides; this only says when to offer).
    phone_unverified: bool = False

    @property
    def buy_allowed(self) -> bool:
        """The buy button is live: the sale runs (started, not paused) and, while the queue runs, this customer
        is admitted."""
        return (
            self.started
            and not self.paused
            and (not self.queue or (self.place is not None and self.place.status == PlaceStatus.ADMITTED))
        )


def product_drop_state(product: Product, *, user=None, now: datetime | None = None) -> DropState:
    """The drop side of the product page; reads the customer's place only when a queue runs (one query)."""
    now = now or timezone.now()
    started = product.sale_started(now)
    place = None
    opens_at = None
    if product.has_queue:
        opens_at = queue_schedule(product_id=product.pk).opens_at
        if user is not None and user.is_authenticated:
            place = queue_place(product_id=product.pk, user=user, now=now)
    return DropState(
        starts_at=product.sale_starts_at,
        started=started,
        queue=product.has_queue,
        queue_opens_at=opens_at,
        queue_open=opens_at is not None and now >= opens_at,
        place=place,
        cap=product.max_per_customer,
        paused=product.sale_paused,
        phone_unverified=(product.has_queue or product.max_per_customer is not None)
        and user is not None
        and user.is_authenticated
        and not user.phone_verified,
    )


def product_draw_state(product: Product) -> DrawState | None:
    """The draw side of a draw's product page (its phase, dates and the seed's hash); None for other products."""
    return draw_state(product=product) if product.is_draw else None


def product_sold_out_sizes(product: Product) -> list[str]:
    """Sizes of an in-stock product with nothing on hand: a customer may ask to hear when they are back."""
    if product.order_type != Product.OrderType.IN_STOCK:
        return []
    return [choice.label for choice in product_size_choices(product) if not choice.available]


def footer_pages() -> QuerySet[Page]:
    return Page.objects.filter(is_published=True, show_in_footer=True).only("slug", "title").order_by("title")


def page_published(*, slug: str) -> Page:
    page = Page.objects.filter(slug=slug, is_published=True).first()
    if page is None:
        raise Http404("Страница не найдена")
    return page


# --- «Повторить заказ» -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RepeatLine:
    product: Product
    size: str
    quantity: int  # what can go back in the cart now (0: nothing)
    wanted: int


def order_repeat_lines(*, order) -> list[RepeatLine]:
    """The order's items as they could be bought again now: a hidden product or a `waiting` preorder gives 0,
    an in-stock size at most what is left; the same product and size are merged."""
    wanted: dict[tuple[int, str], int] = {}
    products = {}
    for item in order.items.select_related("product"):
        key = (item.product_id, item.size)
        wanted[key] = wanted.get(key, 0) + item.quantity
        products[item.product_id] = item.product
    stock = {
        (row.product_id, row.size): row.quantity for row in ProductStock.objects.filter(product_id__in=products)
    }
    lines = []
    for (product_id, size), quantity in wanted.items():
        product = products[product_id]
        if not product.is_active or product.is_archived or product.order_type == Product.OrderType.WAITING:
            available = 0
        elif product.order_type == Product.OrderType.PREORDER:
            available = quantity
        else:
            available = min(quantity, max(stock.get((product_id, size), 0), 0))
        lines.append(RepeatLine(product=product, size=size, quantity=available, wanted=quantity))
    return lines
