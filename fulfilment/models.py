"""Fulfilment: an order's parcel at CDEK (`Shipment`), bulk hand-overs (`ShipmentBatch`), and returns."""

from datetime import timedelta
from enum import nonmember

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.models import TimeStampedModel
from orders.models import Order


class ShipmentState(models.TextChoices):
    REGISTERING = "registering", _("Передаётся в СДЭК")
    ACCEPTED = "accepted", _("Принят СДЭК на проверку")
    REGISTERED = "registered", _("Зарегистрирован в СДЭК")
    INVALID = "invalid", _("Отклонён СДЭК")
    SHIPPED = "shipped", _("В пути")
    DELIVERED = "delivered", _("Вручён")
    RETURNED = "returned", _("Возвращается в магазин")

    #: CDEK has the parcel's order: it has a number, labels can be printed, statuses come.
    AT_CDEK = nonmember(("registered", "shipped", "delivered", "returned"))
    #: Still moving: the periodic reconciliation reads these back from CDEK.
    OPEN = nonmember(("accepted", "registered", "shipped"))


class Shipment(TimeStampedModel):
    """The order's parcel at CDEK: one per order (the order is the key, so it is never registered twice)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="shipment", verbose_name=_("заказ"))
    state = models.CharField(
        _("состояние"), max_length=16, choices=ShipmentState.choices, default=ShipmentState.REGISTERING
    )
    cdek_uuid = models.CharField(_("uuid в СДЭК"), max_length=64, blank=True, db_index=True)
    cdek_number = models.CharField(_("номер СДЭК"), max_length=32, blank=True, db_index=True)
    cdek_status = models.CharField(_("статус СДЭК"), max_length=64, blank=True)
    tariff_code = models.PositiveIntegerField(_("тариф СДЭК"), null=True, blank=True)
    errors = models.JSONField(_("ошибки СДЭК"), default=list, blank=True)
    # A caller registering the order holds it until this moment; a crashed one lets go when it passes.
    claimed_until = models.DateTimeField(_("занят до"), null=True, blank=True, editable=False)
    registered_at = models.DateTimeField(_("зарегистрирован"), null=True, blank=True)

    class Meta:
        verbose_name = _("отправление СДЭК")
        verbose_name_plural = _("отправления СДЭК")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state"], name="shipment_state_idx")]
        constraints = [
            models.UniqueConstraint(fields=["cdek_uuid"], condition=~Q(cdek_uuid=""), name="shipment_uuid_unique")
        ]

    def __str__(self):
        return f"{self.order_id}: {self.cdek_number or self.get_state_display()}"


class ShipmentBatch(models.Model):
    """Staff handed many orders to CDEK at once: the run's progress and what failed, for its page."""

    class State(models.TextChoices):
        RUNNING = "running", _("Идёт")
        DONE = "done", _("Завершена")

    #: A running batch that took no step for this long has lost its worker: the scheduler starts it again.
    STALL_AFTER = timedelta(minutes=5)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("кто запустил")
    )
    title = models.CharField(_("что передаём"), max_length=255, blank=True)
    order_ids = models.JSONField(_("заказы"), default=list)
    total = models.PositiveIntegerField(_("всего"), default=0)
    processed = models.PositiveIntegerField(_("обработано"), default=0)
    failed = models.PositiveIntegerField(_("с ошибками"), default=0)
    failures = models.JSONField(_("ошибки"), default=list, blank=True)  # [{"order": number, "message": text}]
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.RUNNING)
    created_at = models.DateTimeField(_("запущена"), auto_now_add=True)
    progress_at = models.DateTimeField(_("последний шаг"), default=timezone.now)
    finished_at = models.DateTimeField(_("завершена"), null=True, blank=True)

    class Meta:
        verbose_name = _("передача в СДЭК")
        verbose_name_plural = _("передачи в СДЭК")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(processed__lte=models.F("total")), name="batch_processed_le_total")
        ]

    def __str__(self):
        return self.title or f"Передача в СДЭК №{self.pk}"

    @property
    def is_stalled(self) -> bool:
        return self.state == self.State.RUNNING and self.progress_at < timezone.now() - self.STALL_AFTER


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Ждёт решения магазина")
    ACCEPTED = "accepted", _("Принят: отправьте товар")
    REFUSED = "refused", _("Отклонён")
    RECEIVED = "received", _("Товар получен магазином")
    REFUNDED = "refunded", _("Деньги возвращены")

    #: Returns that still claim their units (a refused one gives them back to what may be returned).
    CLAIMING = nonmember(("requested", "accepted", "received", "refunded"))


class ReturnRequest(TimeStampedModel):
    """A customer asks to send back some units of a delivered order; staff decide, receive, refund."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns", verbose_name=_("заказ"))
    status = models.CharField(
        _("статус"), max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED
    )
    reason = models.TextField(_("причина"), max_length=1000)
    staff_comment = models.TextField(_("комментарий магазина"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("решение принял"),
    )
    sellable = models.BooleanField(_("годен к продаже"), null=True, blank=True)
    refund = models.ForeignKey(
        "orders.OrderRefund",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("возврат денег"),
    )
    received_at = models.DateTimeField(_("получен"), null=True, blank=True)

    class Meta:
        verbose_name = _("возврат товара")
        verbose_name_plural = _("возвраты товара")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="return_status_idx")]

    def __str__(self):
        return f"Возврат №{self.pk} по заказу {self.order.order_number}"


class ReturnLine(models.Model):
    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("возврат")
    )
    item = models.ForeignKey(
        "orders.OrderItem", on_delete=models.PROTECT, related_name="+", verbose_name=_("позиция")
    )
    quantity = models.PositiveIntegerField(_("количество"))

    class Meta:
        verbose_name = _("позиция возврата")
        verbose_name_plural = _("позиции возврата")
        constraints = [
            models.UniqueConstraint(fields=["request", "item"], name="return_line_item_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="return_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"
