"""The waiting room of a drop: one place per account, in rows every process and instance shares."""

from django.conf import settings
from django.db import models
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
