from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from config.models import TimeStampedModel


class PromoCode(TimeStampedModel):
    """A discount code: a percent or a fixed sum in rubles, never both."""

    code = models.CharField(_("код"), max_length=64, unique=True)
    description = models.CharField(_("описание"), max_length=255, blank=True)
    discount_percent = models.PositiveSmallIntegerField(_("скидка, %"), null=True, blank=True)
    discount_amount = models.DecimalField(_("скидка, ₽"), max_digits=12, decimal_places=2, null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("лимит использований"), null=True, blank=True)
    current_uses = models.PositiveIntegerField(_("использований"), default=0)
    max_uses_per_customer = models.PositiveIntegerField(
        _("лимит на покупателя"), null=True, blank=True, help_text=_("Пусто — без ограничения.")
    )
    first_order_only = models.BooleanField(
        _("только на первый заказ"), default=False, help_text=_("У покупателя нет других действующих заказов.")
    )
    valid_from = models.DateTimeField(_("действует с"), null=True, blank=True)
    valid_until = models.DateTimeField(_("действует до"), null=True, blank=True)
    is_active = models.BooleanField(_("активен"), default=True)
    products = models.ManyToManyField(
        "catalog.Product",
        blank=True,
        related_name="promo_codes",
        verbose_name=_("товары"),
        help_text=_("Пусто — код действует на все товары."),
    )

    class Meta:
        verbose_name = _("промокод")
        verbose_name_plural = _("промокоды")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="promo_code_unique_ci"),
            models.CheckConstraint(
                condition=(Q(discount_percent__isnull=False) & Q(discount_amount__isnull=True))
                | (Q(discount_percent__isnull=True) & Q(discount_amount__isnull=False)),
                name="promo_exactly_one_discount_kind",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__isnull=True) | Q(discount_percent__gte=1, discount_percent__lte=100),
                name="promo_percent_1_100",
            ),
            models.CheckConstraint(
                condition=Q(discount_amount__isnull=True) | Q(discount_amount__gt=0),
                name="promo_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(current_uses__lte=F("max_uses")),
                name="promo_uses_within_max",
            ),
            models.CheckConstraint(
                condition=Q(max_uses_per_customer__isnull=True) | Q(max_uses_per_customer__gte=1),
                name="promo_per_customer_positive",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=F("valid_from")),
                name="promo_valid_window_ordered",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        # Codes are case-insensitive: one canonical upper-case spelling is stored.
        self.code = (self.code or "").strip().upper()
        super().save(*args, **kwargs)
