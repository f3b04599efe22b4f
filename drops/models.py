"""The waiting room of a drop: one place per account, in rows every process and instance shares."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Product


class DropQueue(models.Model):
    """One product's waiting room: whether the early arrivals were shuffled yet, and the next free slot.

    The row is the serialization point of the queue: the shuffle at the start and every later arrival lock it.
    """

    product = models.OneToOneField(
        "catalog.Product",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="drop_queue",
        verbose_name=_("товар"),
    )
    shuffled_at = models.DateTimeField(_("очередь перемешана"), null=True, blank=True)
    tail = models.PositiveIntegerField(_("следующий слот"), default=0)

    class Meta:
        verbose_name = _("очередь")
        verbose_name_plural = _("очереди")

    def __str__(self):
        return f"{self.product_id}: {self.tail}"


class QueueEntry(models.Model):
    """One account's place in a product's waiting room.

    `slot` is the place (0 = first), given at the start to everyone who came before it (in random order) and on
    arrival to everyone after; `admit_at` is when the place lets its holder order. Both are empty until then.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="queue_entries", verbose_name=_("товар")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="queue_entries",
        verbose_name=_("покупатель"),
    )
    slot = models.PositiveIntegerField(_("место"), null=True, blank=True)
    admit_at = models.DateTimeField(_("пропуск с"), null=True, blank=True)
    # A secret random key given on joining: the start's draw orders the early arrivals by it.
    draw = models.BigIntegerField(_("жребий"), default=0, editable=False)
    ip = models.GenericIPAddressField(_("адрес"), null=True, blank=True)
    created_at = models.DateTimeField(_("встал в очередь"), auto_now_add=True)

    class Meta:
        verbose_name = _("место в очереди")
        verbose_name_plural = _("места в очереди")
        ordering = ["product_id", "slot", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "user"], name="queue_one_place_per_account"),
            models.UniqueConstraint(fields=["product", "slot"], name="queue_unique_slot"),
        ]
        indexes = [models.Index(fields=["product", "ip"], name="queue_product_ip_idx")]

    def __str__(self):
        return f"{self.product_id} · {self.user_id} · {self.slot}"


class Drop(Product):
    """A product as the drop's back office sees it: its sale, its pause button, its control room."""

    class Meta:
        proxy = True
        verbose_name = _("дроп")
        verbose_name_plural = _("дропы")


class Draw(models.Model):
    """A product's draw: the secret seed whose SHA-256 is published when entries open, and how far the draw got.

    `drawn_at` is set once, with every taking-part entry's `rank`, in one transaction: from then on the order is
    fixed and public. `finished_at` is set when every ranked entry has moved to `won` or `lost`. `runner_until` is
    the lease of the one process running it (a crashed runner's lease lapses and the next round continues).
    """

    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, primary_key=True, related_name="draw", verbose_name=_("товар")
    )
    seed = models.CharField(_("зерно"), max_length=64, editable=False)
    seed_hash = models.CharField(_("SHA-256 зерна"), max_length=64, editable=False)
    units = models.JSONField(_("единиц по размерам"), default=dict, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("розыгрыш проведён"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("итоги готовы"), null=True, blank=True, editable=False)
    runner_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("розыгрыш")
        verbose_name_plural = _("розыгрыши")

    def __str__(self):
        return f"{self.product_id}: {self.seed_hash[:12]}"


class DrawEntryStatus(models.TextChoices):
    PENDING = "pending", _("ждёт оплаты")  # the hold is not there yet
    ENTERED = "entered", _("участвует")  # the money is held
    WINNING = "winning", _("выигрывает")  # drawn as a winner: the order and the capture are under way
    LOSING = "losing", _("не выиграла")  # drawn out: the hold is being cancelled
    WON = "won", _("выиграла")
    LOST = "lost", _("не выиграла")
    CANCELLED = "cancelled", _("отменена")


class DrawEntry(models.Model):
    """One verified buyer's entry: a size, a delivery choice, and a held payment of the price and delivery.

    One live entry per account and per phone (unique while not cancelled). `rank` is the entry's place in the
    drawn order (0 first), written once at the draw. `passed_on` marks a winner whose hold could not be captured:
    its unit went to the next entry of the size.
    """

    Status = DrawEntryStatus

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="entries", verbose_name=_("розыгрыш"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="draw_entries",
        verbose_name=_("покупатель"),
    )
    phone = models.CharField(_("телефон"), max_length=32)
    size = models.CharField(_("размер"), max_length=32)
    status = models.CharField(
        _("статус"), max_length=16, choices=DrawEntryStatus.choices, default=DrawEntryStatus.PENDING
    )
    delivery_method = models.CharField(_("доставка"), max_length=16)
    delivery_address = models.TextField(_("адрес"), blank=True)
    city = models.CharField(_("город"), max_length=128, blank=True)
    cdek_point = models.CharField(_("пункт СДЭК"), max_length=64, blank=True)
    cdek_point_name = models.CharField(max_length=255, blank=True)
    cdek_point_address = models.CharField(max_length=500, blank=True)
    price = models.DecimalField(_("цена, ₽"), max_digits=12, decimal_places=2)
    delivery_amount = models.DecimalField(_("доставка, ₽"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("заморожено, ₽"), max_digits=12, decimal_places=2)
    payment_key = models.UUIDField(default=uuid.uuid4, editable=False)
    payment_id = models.CharField(_("платёж"), max_length=64, blank=True, db_index=True)
    payment_url = models.URLField(max_length=1000, blank=True)
    hold_expires_at = models.DateTimeField(_("холд до"), null=True, blank=True)
    # When the money held for a cancelled or lost entry was released (YooKassa confirmed, or nothing was held);
    # empty while a release YooKassa did not answer is still owed (the scheduler tries again).
    hold_released_at = models.DateTimeField(_("холд снят"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("место в жеребьёвке"), null=True, blank=True)
    passed_on = models.BooleanField(_("не списалось — передано дальше"), default=False)
    order_number = models.CharField(_("заказ"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        verbose_name = _("заявка на розыгрыш")
        verbose_name_plural = _("заявки на розыгрыш")
        ordering = ["draw_id", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw", "user"], condition=~Q(status="cancelled"), name="draw_one_entry_per_account"
            ),
            models.UniqueConstraint(
                fields=["draw", "phone"], condition=~Q(status="cancelled"), name="draw_one_entry_per_phone"
            ),
            models.UniqueConstraint(fields=["draw", "rank"], name="draw_unique_rank"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="draw_entry_amount_non_negative"),
        ]
        indexes = [models.Index(fields=["draw", "status", "size"], name="draw_entry_status_idx")]

    def __str__(self):
        return f"{self.draw_id} · {self.phone} · {self.size} · {self.status}"
