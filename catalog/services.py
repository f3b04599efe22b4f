"""Catalog writes: products with their stock per size, stock movements of orders, and product photos."""

from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q

from catalog.errors import OutOfStock, ProductRejected
from catalog.images import CleanImage, ImageRejected, image_clean
from catalog.models import Product, ProductMedia, ProductStock
from catalog.signals import product_saved, stock_returned
from catalog.tasks import media_renditions_build

# --- Product writes (staff: API and admin) -------------------------------------------------------------------
PRODUCT_FIELDS = (
    "name",
    "slug",
    "article",
    "description",
    "price",
    "sizes",
    "size_table",
    "care_instructions",
    "order_type",
    "preorder_waves_total",
    "preorder_wave_capacity",
    "is_active",
    "is_archived",
    "weight_grams",
    "sale_starts_at",
    "max_per_customer",
    "payment_timeout",
    "queue_enabled",
    "queue_rate",
    "sale_mode",
    "draw_opens_at",
    "draw_closes_at",
)


def product_check(product: Product) -> None:
    """Refuse a product staff cannot save: a preorder without waves, repeated sizes, fewer waves than it has."""
    if product.is_preorder and (product.preorder_waves_total < 1 or product.preorder_wave_capacity < 1):
        raise ProductRejected(
            "Для предзаказа укажите число волн и ёмкость волны (не меньше 1).",
            code="preorder_waves_required",
        )
    if product.is_draw and product.draw_closes_at is None:
        raise ProductRejected(
            "Для розыгрыша укажите, когда он пройдёт (draw_closes_at).", code="draw_closes_required"
        )
    if product.draw_opens_at and product.draw_closes_at and product.draw_closes_at <= product.draw_opens_at:
        raise ProductRejected("Розыгрыш должен пройти после открытия приёма заявок.", code="draw_window_invalid")
    if len(set(product.size_labels)) != len(product.size_labels):
        raise ProductRejected("Размеры не должны повторяться.", code="duplicate_size")
    if product.pk and product.is_preorder:
        # Waves are never removed (orders point at them), so their number only grows.
        last_wave = product.waves.order_by("-wave_number").values_list("wave_number", flat=True).first() or 0
        if product.preorder_waves_total < last_wave:
            raise ProductRejected(
                f"У товара уже {last_wave} волн(ы): их число нельзя уменьшить.", code="waves_total_too_low"
            )


def _product_after_save(*, product: Product, stock: dict[str, int] | None, capacity_changed: bool) -> Product:
    # Sizes no longer offered take their stock rows with them.
    ProductStock.objects.filter(product=product).exclude(size__in=product.size_labels).delete()
    if stock is not None:
        product_set_stock(product=product, stock=stock)
    # Waves follow the preorder settings (the preorders app listens).
    product_saved.send(sender=Product, product=product, capacity_changed=capacity_changed)
    return product


@transaction.atomic
def product_create(*, data: dict, stock: dict[str, int] | None = None) -> Product:
    """Add a product; a preorder product gets its waves at once."""
    product = Product(**{field: value for field, value in data.items() if field in PRODUCT_FIELDS})
    product_check(product)
    product.save()
    return _product_after_save(product=product, stock=stock, capacity_changed=True)


@transaction.atomic
def product_update(*, product: Product, data: dict, stock: dict[str, int] | None = None) -> Product:
    """Change a product's fields and, when given, its stock; waves follow the preorder settings."""
    changed = [field for field in data if field in PRODUCT_FIELDS and getattr(product, field) != data[field]]
    for field in changed:
        setattr(product, field, data[field])
    product_check(product)
    if changed:
        product.save(update_fields=[*changed, "updated_at"])
    # A capacity staff gave one wave of their own stays unless the product's wave capacity itself changes.
    capacity_changed = "preorder_wave_capacity" in changed or "order_type" in changed
    return _product_after_save(product=product, stock=stock, capacity_changed=capacity_changed)


def product_sizes_check(*, product: Product, sizes: Iterable[str]) -> None:
    """Refuse sizes the product does not offer (stock rows and order lines name only the product's own)."""
    labels = product.size_labels
    unknown = [size for size in sizes if size not in labels]
    if len(unknown) == 1:
        message = f"У товара нет размера «{unknown[0]}». Размеры: {', '.join(labels)}."
    else:
        message = f"У товара нет размеров: {', '.join(unknown)}. Размеры: {', '.join(labels)}."
    if unknown:
        raise ProductRejected(message, code="unknown_size", sizes=unknown)


@transaction.atomic
def product_set_stock(*, product: Product, stock: dict[str, int], remove: Iterable[str] = ()) -> None:
    """Set units on hand per size (absolute counts) and drop the rows of the sizes in `remove`. Sizes must be
    the product's own; counts are never negative."""
    product_sizes_check(product=product, sizes=stock)
    negative = [size for size, quantity in stock.items() if quantity < 0]
    if negative:
        raise ProductRejected("Остаток не может быть отрицательным.", code="negative_stock", sizes=negative)
    removed = [size for size in remove if size not in stock]
    if removed:
        ProductStock.objects.filter(product=product, size__in=removed).delete()
    # Lock like the order side does (pk order), so a staff edit and a checkout queue instead of deadlocking.
    rows = {
        row.size: row
        for row in ProductStock.objects.select_for_update(of=("self",)).filter(product=product).order_by("pk")
    }
    returned = []
    for size, quantity in stock.items():
        if size in rows:
            if rows[size].quantity != quantity:
                ProductStock.objects.of_products([product.pk]).filter(pk=rows[size].pk).update(quantity=quantity)
                if rows[size].quantity == 0:
                    returned.append(size)
        else:
            ProductStock.objects.create(product=product, size=size, quantity=quantity)
            if quantity > 0:
                returned.append(size)
    if returned and product.order_type == Product.OrderType.IN_STOCK:
        stock_returned.send(sender=Product, product_id=product.pk, sizes=returned)


def product_archive(*, product: Product) -> Product:
    """Take a product off sale for good. Products are never deleted: past orders keep pointing at them."""
    if not product.is_archived:
        product.is_archived = True
        product.save(update_fields=["is_archived", "updated_at"])
    return product


# --- Stock movements (orders) ---------------------------------------------------------------------------------
StockKey = tuple[int, str]  # (product id, size label)


def stock_lock(*, keys: Iterable[StockKey]) -> dict[StockKey, ProductStock]:
    """Lock the stock rows of these (product, size) pairs, in primary-key order.

    Every writer of stock locks in the same order, so two orders naming the same sizes in opposite order queue
    instead of deadlocking. A size without a row simply has no stock.
    """
    keys = set(keys)
    if not keys:
        return {}
    match = Q()
    for product_id, size in keys:
        match |= Q(product_id=product_id, size=size)
    rows = ProductStock.objects.select_for_update(of=("self",)).filter(match).order_by("pk")
    return {(row.product_id, row.size): row for row in rows}


def stock_take(*, quantities: dict[StockKey, int]) -> dict[StockKey, int]:
    """Take units for an order. Returns the sizes that are short with what is left, `{}` when all were taken.

    One size is one conditional update (`quantity >= n`), a single row lock; several sizes are locked in
    primary-key order first, so concurrent orders and staff edits queue instead of deadlocking. When anything is
    short the caller refuses the order and its transaction gives back what was taken. The table's check keeps
    stock at zero or above whatever happens.
    """
    quantities = {key: quantity for key, quantity in quantities.items() if quantity > 0}
    if len(quantities) == 1:
        [((product_id, size), quantity)] = quantities.items()
        rows = ProductStock.objects.of_products([product_id]).filter(product_id=product_id, size=size)
        if rows.filter(quantity__gte=quantity).update(quantity=F("quantity") - quantity):
            return {}
        return {(product_id, size): rows.values_list("quantity", flat=True).first() or 0}
    rows = stock_lock(keys=quantities)
    short = {
        key: rows[key].quantity if key in rows else 0
        for key, quantity in quantities.items()
        if key not in rows or rows[key].quantity < quantity
    }
    if short:
        return short
    for key in sorted(quantities, key=lambda k: rows[k].pk):
        quantity = quantities[key]
        taken = (
            ProductStock.objects.of_products([rows[key].product_id])
            .filter(pk=rows[key].pk, quantity__gte=quantity)
            .update(quantity=F("quantity") - quantity)
        )
        if not taken:
            raise OutOfStock(available=rows[key].quantity)
        rows[key].quantity -= quantity
    return {}


def stock_release(*, quantities: dict[StockKey, int]) -> None:
    """Give units back to their sizes (a cancelled or lapsed order), in the same lock order as takers."""
    quantities = {key: quantity for key, quantity in quantities.items() if quantity > 0}
    if len(quantities) == 1:
        [((product_id, size), quantity)] = quantities.items()
        rows = ProductStock.objects.of_products([product_id]).filter(product_id=product_id, size=size)
        rows.update(quantity=F("quantity") + quantity)
    else:
        rows = stock_lock(keys=quantities)
        for key, row in sorted(rows.items(), key=lambda item: item[1].pk):
            ProductStock.objects.of_products([row.product_id]).filter(pk=row.pk).update(
                quantity=F("quantity") + quantities[key]
            )
    _stock_returned(keys=quantities)


def _stock_returned(*, keys) -> None:
    """Tell the apps above that these sizes have units again (their waitlists hear about it)."""
    sizes: dict[int, list[str]] = {}
    for product_id, size in keys:
        sizes.setdefault(product_id, []).append(size)
    for product_id, returned in sizes.items():
        stock_returned.send(sender=Product, product_id=product_id, sizes=returned)


# --- Product photos ---------------------------------------------------------------------------------------------
def media_image_clean(*, upload) -> tuple[ContentFile, CleanImage]:
    """A photo as the shop stores it: a real JPEG, PNG or WebP within `MEDIA_MAX_UPLOAD_BYTES` and
    `MEDIA_MAX_PIXELS`, upright, with no metadata (GPS included). Raises `ImageRejected` (in Russian) otherwise.

    Nothing of the upload is kept: only the re-encoded pixels are, under the upload's name with the true extension.
    """
    max_bytes = settings.MEDIA_MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        # Refused before reading: a huge file is never loaded into memory.
        raise ImageRejected(
            f"Файл слишком большой: можно не больше {max_bytes // (1024 * 1024)} МБ.", code="image_too_large"
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    clean = image_clean(data, max_bytes=max_bytes, max_pixels=settings.MEDIA_MAX_PIXELS)
    stem = Path(getattr(upload, "name", "") or "photo").stem[:80] or "photo"
    return ContentFile(clean.content, name=f"{stem}.{clean.extension}"), clean


@transaction.atomic
def product_media_add(*, product: Product, upload, alt: str = "", position: int = 0) -> ProductMedia:
    """Add a photo to the product's gallery: cleaned before it is stored; its renditions follow from the worker."""
    content, clean = media_image_clean(upload=upload)
    media = ProductMedia(product=product, alt=alt, position=position, width=clean.width, height=clean.height)
    media.image.save(content.name, content, save=False)
    media.save()
    media_renditions_schedule(media=media)
    return media


def media_renditions_schedule(*, media: ProductMedia) -> None:
    """Ask the worker for the renditions of the media's current image, once the transaction commits."""
    media_id, image_name = media.pk, media.image.name
    transaction.on_commit(
        lambda: media_renditions_build.enqueue(media_id=media_id, image_name=image_name), robust=True
    )
