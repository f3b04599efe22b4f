from datetime import timedelta

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from catalog.caching import CatalogQuerySet
from config.models import TimeStampedModel

ONE_SIZE = "ONE SIZE"

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "h",
            "ts",
            "ch",
            "sh",
            "sch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def slug_from(text: str) -> str:
    """A Latin slug for Russian names: «Худи Чёрное» → `hudi-chernoe`."""
    latin = "".join(_TRANSLIT.get(ch, ch) if ch.lower() == ch else _TRANSLIT.get(ch.lower(), ch) for ch in text)
    return slugify(latin.replace("-", " ").strip()) or "product"


class TrigramSearchIndex(GinIndex):
    """A trigram index of `UPPER(field)` for `icontains` on PostgreSQL (pg_trgm); elsewhere (SQLite) a plain
    index of the same expression, so that the same migrations and table rebuilds run on both."""

    def __init__(self, *, field: str, name: str):
        super().__init__(OpClass(Upper(field), name="gin_trgm_ops"), name=name)

    def deconstruct(self):
        path, _, kwargs = super().deconstruct()
        field = self.expressions[0].source_expressions[0].source_expressions[0].name
        return path, (), {"field": field, "name": self.name}

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = models.Index(*(opclass.source_expressions[0] for opclass in self.expressions), name=self.name)
        return plain.create_sql(model, schema_editor, **kwargs)


class ProductQuerySet(CatalogQuerySet):
    product_field = "pk"

    def visible(self):
        """What customers may see and order: active and not archived."""
        return self.filter(is_active=True, is_archived=False)

    def with_stock_total(self):
        # A subquery rather than a join and GROUP BY: a page of a long list (and its count) stays cheap.
        totals = (
            ProductStock.objects.filter(product=OuterRef("pk"))
            .order_by()
            .values("product")
            .annotate(total=Sum("quantity"))
            .values("total")
        )
        return self.annotate(stock_total=Coalesce(Subquery(totals), 0))


class SaleMode(models.TextChoices):
    FIRST_COME = "first_come", _("кто первый")
    DRAW = "draw", _("розыгрыш")


class Product(TimeStampedModel):
    SaleMode = SaleMode

    class OrderType(models.TextChoices):
        IN_STOCK = "in_stock", _("В наличии")
        PREORDER = "preorder", _("Предзаказ")
        WAITING = "waiting", _("Ожидание новой волны")

    name = models.CharField(_("название"), max_length=255)
    slug = models.SlugField(_("адрес"), max_length=255, unique=True, blank=True)
    description = models.TextField(_("описание"), blank=True)
    article = models.CharField(_("артикул"), max_length=64, unique=True)
    price = models.DecimalField(_("цена, ₽"), max_digits=12, decimal_places=2)
    sizes = models.JSONField(
        _("размеры"), default=list, blank=True, help_text=_('Список, например ["S", "M", "L"].')
    )
    size_table = models.JSONField(
        _("таблица размеров"), default=list, blank=True, help_text=_("Строки таблицы: первая строка — заголовки.")
    )
    care_instructions = models.TextField(_("уход"), blank=True)
    order_type = models.CharField(
        _("тип продажи"), max_length=16, choices=OrderType.choices, default=OrderType.IN_STOCK, db_index=True
    )
    preorder_waves_total = models.PositiveIntegerField(_("волн предзаказа"), default=0)
    preorder_wave_capacity = models.PositiveIntegerField(_("ёмкость волны, шт."), default=0)
    is_active = models.BooleanField(_("активен"), default=True)
    is_archived = models.BooleanField(_("в архиве"), default=False)
    weight_grams = models.PositiveIntegerField(
        _("вес, г"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30_000)],
        help_text=_("Вес одной единицы в упаковке; пусто — вес по умолчанию для расчёта доставки."),
    )
    box_cm = models.CharField(
        _("коробка, см"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\s*[1-9]\d{0,2}\s*[xх×]\s*[1-9]\d{0,2}\s*[xх×]\s*[1-9]\d{0,2}\s*$",
                                   _("Укажите длину, ширину и высоту в сантиметрах, например 30×20×5."))],
        help_text=_("Длина × ширина × высота упаковки одной единицы для СДЭК, например 30×20×5; "
                    "пусто — коробка по умолчанию."),
    )  # fmt: skip
    # --- Drops: a scheduled, fair, capped start (DESIGN.md, «Drops») ---
    sale_starts_at = models.DateTimeField(
        _("старт продаж"), null=True, blank=True, help_text=_("До старта товар виден с обратным отсчётом.")
    )
    max_per_customer = models.PositiveIntegerField(
        _("не больше в одни руки, шт."), null=True, blank=True, help_text=_("Пусто — без ограничения.")
    )
    payment_timeout = models.PositiveIntegerField(
        _("время на оплату, мин."),
        null=True,
        blank=True,
        help_text=_("Пусто — общее время на оплату (ORDER_PAYMENT_TIMEOUT)."),
    )
    queue_enabled = models.BooleanField(
        _("очередь на старте"),
        default=False,
        help_text=_("Комната ожидания открывается до старта продаж и пускает покупателей по очереди."),
    )
    queue_rate = models.PositiveIntegerField(_("пускать в минуту"), default=50)
    # --- Pause (DESIGN.md, «Pause»): staff stop a sale at once; `drops.pausing` writes both fields ---
    sale_paused = models.BooleanField(
        _("продажа приостановлена"),
        default=False,
        help_text=_("Заказы, очередь и участие в розыгрыше не принимаются, пока продажа не возобновлена."),
    )
    sale_paused_at = models.DateTimeField(_("приостановлена в"), null=True, blank=True, editable=False)
    # --- Draws (DESIGN.md, «Draws»): sold by a provably fair draw among verified buyers, not first come ---
    sale_mode = models.CharField(
        _("как продаётся"), max_length=16, choices=SaleMode.choices, default=SaleMode.FIRST_COME
    )
    draw_opens_at = models.DateTimeField(_("приём заявок с"), null=True, blank=True)
    draw_closes_at = models.DateTimeField(
        _("розыгрыш в"),
        null=True,
        blank=True,
        help_text=_("Приём заявок закрывается, и розыгрыш проводится сам. Не позже 7 дней после открытия."),
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("товар")
        verbose_name_plural = _("товары")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["is_active", "is_archived", "order_type"], name="product_visible_idx"),
            models.Index(fields=["price"], name="product_price_idx"),
            # Every ordering of the lists, with the id that breaks ties (read backwards for the descending ones).
            models.Index(fields=["created_at", "id"], name="product_created_idx"),
            models.Index(fields=["price", "id"], name="product_price_id_idx"),
            models.Index(fields=["name", "id"], name="product_name_idx"),
            # `search` is `icontains`, which PostgreSQL runs as UPPER(field) LIKE UPPER('%text%'): trigram
            # indexes of those expressions serve it (created on PostgreSQL only, see the migration).
            *(
                TrigramSearchIndex(field=field, name=f"product_{field}_trgm")
                for field in ("name", "article", "description")
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_non_negative"),
            models.CheckConstraint(
                condition=Q(weight_grams__isnull=True) | Q(weight_grams__gte=1), name="product_weight_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_per_customer__isnull=True) | Q(max_per_customer__gte=1),
                name="product_max_per_customer_positive",
            ),
            models.CheckConstraint(
                condition=Q(payment_timeout__isnull=True) | Q(payment_timeout__gte=1),
                name="product_payment_timeout_positive",
            ),
            models.CheckConstraint(condition=Q(queue_rate__gte=1), name="product_queue_rate_positive"),
            models.CheckConstraint(
                condition=Q(draw_opens_at__isnull=True)
                | Q(draw_closes_at__isnull=True)
                | Q(draw_closes_at__gt=F("draw_opens_at")),
                name="product_draw_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.article})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = f"{slug_from(self.name)}-{slugify(self.article)}"[:255]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("shop:product", kwargs={"key": self.slug})

    @property
    def size_labels(self) -> list[str]:
        """The sizes a customer picks from; a product without sizes has the one size ONE SIZE."""
        return [str(size) for size in self.sizes] if self.sizes else [ONE_SIZE]

    def sale_started(self, now=None) -> bool:
        """Orders are taken from `sale_starts_at` on (always, without one)."""
        return self.sale_starts_at is None or (now or timezone.now()) >= self.sale_starts_at

    @property
    def is_draw(self) -> bool:
        return self.sale_mode == SaleMode.DRAW

    # Bank cards and T-Pay hold money for 7 days (SberPay for 6 hours): a draw must run before holds lapse.
    CARD_HOLD = timedelta(days=7)

    @property
    def draw_holds_lapse(self) -> bool:
        """A hold made when entries open would lapse before the draw closes them (the admin warns)."""
        if not self.is_draw or self.draw_closes_at is None:
            return False
        opens = self.draw_opens_at or self.created_at or timezone.now()
        return self.draw_closes_at - opens > self.CARD_HOLD

    @property
    def has_queue(self) -> bool:
        """A waiting room runs for this product: it is switched on and the sale has a start."""
        return self.queue_enabled and self.sale_starts_at is not None

    @property
    def is_preorder(self) -> bool:
        return self.order_type in (self.OrderType.PREORDER, self.OrderType.WAITING)

    def open_waves(self, waves=None) -> list:
        """Waves that take new units, in the order they fill: collecting, with room, by number.

        Pass the waves when they are already loaded; otherwise they are read (prefetched rows are used).
        """
        waves = list(self.waves.all()) if waves is None else list(waves)
        return sorted(
            (w for w in waves if w.status == "collecting" and w.current_count < w.capacity),
            key=lambda w: w.wave_number,
        )

    def wave_current(self, waves=None):
        """The wave new units go to, or the last wave when every wave is full; None without waves."""
        waves = list(self.waves.all()) if waves is None else list(waves)
        open_waves = self.open_waves(waves)
        if open_waves:
            return open_waves[0]
        return max(waves, key=lambda w: w.wave_number) if waves else None

    @property
    def current_wave(self) -> int | None:
        """The number of the wave new units go to (the seed's `current_wave`), derived from the waves."""
        wave = self.wave_current()
        return wave.wave_number if wave else None

    @property
    def current_wave_count(self) -> int:
        """Units already in the current wave (the seed's `current_wave_count`), derived from the waves."""
        wave = self.wave_current()
        return wave.current_count if wave else 0

    @property
    def stock_count(self) -> int:
        """Units on hand over every size (the seed's `stock_count`); prefetched stock rows are used."""
        return sum(row.quantity for row in self.stock.all())


class ProductStock(models.Model):
    """Units on hand of one size of an in-stock product. The product's stock count is their sum."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock", verbose_name=_("товар"))
    size = models.CharField(_("размер"), max_length=32)
    quantity = models.IntegerField(_("остаток, шт."), default=0)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("остаток по размеру")
        verbose_name_plural = _("остатки по размерам")
        ordering = ["product_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "size"], name="stock_unique_product_size"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_quantity_non_negative"),
        ]

    def __str__(self):
        return f"{self.product.article} · {self.size}: {self.quantity}"


class ProductMedia(models.Model):
    """One picture of the product's gallery, in the order staff set.

    `image` is the cleaned upload; `renditions` lists its sized copies once the worker has made them:
    `[{"width": 400, "height": 500, "format": "webp", "name": "products/renditions/…"}, …]`.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="media", verbose_name=_("товар"))
    image = models.ImageField(_("изображение"), upload_to="products/%Y/%m/")
    width = models.PositiveIntegerField(_("ширина, px"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("высота, px"), null=True, blank=True, editable=False)
    renditions = models.JSONField(_("уменьшенные копии"), default=list, blank=True, editable=False)
    alt = models.CharField(_("подпись"), max_length=255, blank=True)
    position = models.PositiveIntegerField(_("порядок"), default=0)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("изображение товара")
        verbose_name_plural = _("изображения товара")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["product", "position"], name="media_product_position_idx")]

    def __str__(self):
        return f"{self.product.article} #{self.position}"

    def rendition_urls(self, image_format: str | None = None) -> list[dict]:
        """The renditions with their URLs, narrowest first (of one format when asked): no storage call is made."""
        storage = self.image.storage
        return [
            {"url": storage.url(r["name"]), "width": r["width"], "height": r["height"], "format": r["format"]}
            for r in sorted(self.renditions, key=lambda r: (r["format"], r["width"]))
            if image_format is None or r["format"] == image_format
        ]
