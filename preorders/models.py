from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.caching import CatalogQuerySet
from config.models import TimeStampedModel


class WaveStatus(models.TextChoices):
    COLLECTING = "collecting", _("Сбор заказов")
    PRODUCTION = "production", _("В производстве")
    SHIPPING = "shipping", _("Отправка")
    COMPLETED = "completed", _("Завершена")


class PreorderWave(TimeStampedModel):
    """One batch of a preorder product. These rows are the one source of truth for preorder counts."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="waves", verbose_name=_("товар")
    )
    wave_number = models.PositiveIntegerField(_("номер волны"))
    capacity = models.PositiveIntegerField(_("ёмкость, шт."))
    current_count = models.PositiveIntegerField(_("заказано, шт."), default=0)
    status = models.CharField(
        _("статус"), max_length=16, choices=WaveStatus.choices, default=WaveStatus.COLLECTING, db_index=True
    )
    completed_at = models.DateTimeField(_("завершена"), null=True, blank=True)
    ships_on = models.DateField(_("отправка ожидается"), null=True, blank=True)

    objects = CatalogQuerySet.as_manager()  # a wave's count, capacity and status show on its product

    class Meta:
        verbose_name = _("волна предзаказа")
        verbose_name_plural = _("волны предзаказа")
        ordering = ["product_id", "wave_number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "wave_number"], name="wave_unique_product_number"),
            models.CheckConstraint(
                condition=Q(current_count__lte=F("capacity")), name="wave_count_within_capacity"
            ),
            models.CheckConstraint(condition=Q(current_count__gte=0), name="wave_count_non_negative"),
            models.CheckConstraint(condition=Q(wave_number__gte=1), name="wave_number_positive"),
        ]

    def __str__(self):
        return f"{self.product.article} · волна {self.wave_number} ({self.current_count}/{self.capacity})"

    @property
    def free(self) -> int:
        return max(self.capacity - self.current_count, 0)


class PreorderStatus(TimeStampedModel):
    """One step of an order's preorder timeline: what happened to its wave, told to the customer."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="preorder_statuses", verbose_name=_("заказ")
    )
    wave = models.ForeignKey(
        PreorderWave, on_delete=models.CASCADE, related_name="order_statuses", verbose_name=_("волна")
    )
    status = models.CharField(_("статус"), max_length=16, choices=WaveStatus.choices)
    status_message = models.TextField(_("сообщение"), blank=True)

    class Meta:
        verbose_name = _("статус предзаказа")
        verbose_name_plural = _("статусы предзаказа")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="preorder_status_order_idx")]

    def __str__(self):
        return f"{self.order_id} · {self.get_status_display()}"


class WaitlistEntry(models.Model):
    """A phone to tell by SMS, once, when a sold-out size of an in-stock product is back (`size`) or a waiting
    product opens a new wave (`size` empty)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="waitlist", verbose_name=_("товар")
    )
    phone = models.CharField(_("телефон"), max_length=16)
    size = models.CharField(_("размер"), max_length=32, blank=True, help_text=_("Пусто — новая волна предзаказа."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("пользователь")
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    notified_at = models.DateTimeField(_("уведомлён"), null=True, blank=True)

    class Meta:
        verbose_name = _("лист ожидания")
        verbose_name_plural = _("лист ожидания")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["product", "size", "phone"], name="waitlist_unique_product_size_phone")
        ]
        indexes = [
            models.Index(
                fields=["product", "size"],
                condition=Q(notified_at__isnull=True),
                name="waitlist_waiting_idx",
            )
        ]

    def __str__(self):
        return f"{self.product_id} · {self.size or 'волна'} · {self.phone}"
