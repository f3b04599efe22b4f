import uuid
from decimal import Decimal
from enum import nonmember

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from config.models import TimeStampedModel
from config.money import kopecks
from delivery.models import DeliveryMethod


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Ожидает оплаты")
    PAID = "paid", _("Оплачен")
    PROCESSING = "processing", _("В обработке")
    SHIPPED = "shipped", _("Отправлен")
    DELIVERED = "delivered", _("Доставлен")
    CANCELLED = "cancelled", _("Отменён")
    REFUNDED = "refunded", _("Возвращён")

    # Groups of statuses, named once: the shop's rules and reports read them from here.
    #: The customer's money is with the shop (revenue, refundable).
    HOLDS_PAYMENT = nonmember(("paid", "processing", "shipped", "delivered"))
    #: The order is over without a sale: its units and promo use were given back or the money returned.
    CLOSED = nonmember(("cancelled", "refunded"))
    #: The order still holds its units or its money (anything not closed).
    LIVE = nonmember(("pending", "paid", "processing", "shipped", "delivered"))

    @classmethod
    def sources_of(cls, status: str) -> tuple[str, ...]:
        """The statuses from which an order may move to `status`."""
        return tuple(source for source, targets in ALLOWED_TRANSITIONS.items() if status in targets)


class PaymentStatus(models.TextChoices):
    """Mirrors the status of the YooKassa payment."""

    PENDING = "pending", _("Ожидает оплаты")
    WAITING_FOR_CAPTURE = "waiting_for_capture", _("Ожидает подтверждения")
    SUCCEEDED = "succeeded", _("Оплачен")
    CANCELED = "canceled", _("Отменён")
    REFUNDED = "refunded", _("Возвращён")

    #: Nobody has paid: the order may still be cancelled and its units given back.
    UNPAID = nonmember(("pending", "canceled"))

    @classmethod
    def sources_of(cls, status: str) -> tuple[str, ...]:
        """The payment statuses from which an order's payment may move to `status`."""
        return tuple(source for source, targets in PAYMENT_TRANSITIONS.items() if status in targets)


# Where an order may go from each status; anything else makes no sense and is refused.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.REFUNDED}),
    OrderStatus.PROCESSING: frozenset({OrderStatus.SHIPPED, OrderStatus.REFUNDED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.REFUNDED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}


# Where an order's payment may go from each status (YooKassa's payment, or the one that replaced it).
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    # pending → pending: a new payment replaces one YooKassa does not know; → refunded: a payment that succeeded
    # after its order was closed goes straight back.
    PaymentStatus.PENDING: frozenset(
        {
            PaymentStatus.PENDING,
            PaymentStatus.WAITING_FOR_CAPTURE,
            PaymentStatus.SUCCEEDED,
            PaymentStatus.CANCELED,
            PaymentStatus.REFUNDED,
        }
    ),
    PaymentStatus.WAITING_FOR_CAPTURE: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED}),
    PaymentStatus.SUCCEEDED: frozenset({PaymentStatus.REFUNDED}),
    # canceled → pending: `pay/` creates a new payment; → succeeded: staff mark paid what was paid otherwise.
    PaymentStatus.CANCELED: frozenset(
        {
            PaymentStatus.PENDING,
            PaymentStatus.WAITING_FOR_CAPTURE,
            PaymentStatus.SUCCEEDED,
            PaymentStatus.REFUNDED,
        }
    ),
    PaymentStatus.REFUNDED: frozenset(),
}


class Order(TimeStampedModel):
    Status = OrderStatus
    PaymentStatus = PaymentStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("покупатель")
    )
    order_number = models.CharField(_("номер заказа"), max_length=32, unique=True)
    total_amount = models.DecimalField(_("сумма, ₽"), max_digits=12, decimal_places=2, default=0)
    discount_amount = models.DecimalField(_("скидка, ₽"), max_digits=12, decimal_places=2, default=0)
    final_amount = models.DecimalField(_("к оплате, ₽"), max_digits=12, decimal_places=2, default=0)
    status = models.CharField(
        _("статус"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING, db_index=True
    )
    payment_status = models.CharField(
        _("статус оплаты"),
        max_length=24,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        db_index=True,
    )
    tracking_number = models.CharField(_("трек-номер"), max_length=64, blank=True)
    # --- delivery: how the order travels, a snapshot of the pickup point, the price CDEK quoted --------------
    delivery_method = models.CharField(
        _("способ доставки"), max_length=16, choices=DeliveryMethod.choices, blank=True
    )
    delivery_amount = models.DecimalField(_("доставка, ₽"), max_digits=12, decimal_places=2, default=0)
    delivery_address = models.TextField(_("адрес доставки"), blank=True)
    # A courier's city, a field of its own: the delivery price follows it, never a city typed in the address.
    delivery_city = models.CharField(_("город доставки"), max_length=100, blank=True)
    cdek_point = models.CharField(_("пункт СДЭК"), max_length=255, blank=True)
    cdek_point_name = models.CharField(_("название пункта СДЭК"), max_length=255, blank=True)
    cdek_point_address = models.CharField(_("адрес пункта СДЭК"), max_length=500, blank=True)
    payment_id = models.CharField(_("платёж ЮKassa"), max_length=64, blank=True, db_index=True)
    payment_url = models.URLField(_("ссылка на оплату"), max_length=500, blank=True)
    payment_idempotence_key = models.UUIDField(_("ключ идемпотентности"), default=uuid.uuid4, editable=False)
    receipt_url = models.URLField(_("ссылка на чек"), max_length=500, blank=True)
    promo_code = models.ForeignKey(
        "promos.PromoCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("промокод"),
    )
    pay_by = models.DateTimeField(
        _("оплатить до"), null=True, blank=True, help_text=_("Неоплаченный заказ отменяется после этого времени.")
    )
    paid_at = models.DateTimeField(_("оплачен"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("отправлен"), null=True, blank=True)
    # The checkout that placed the order (the storefront form's token, the API's Idempotency-Key): unique per
    # customer, so repeated or concurrent submits of one checkout place one order.
    checkout_key = models.CharField(_("ключ оформления"), max_length=64, blank=True, editable=False)
    # SHA-256 of what the API's request asked (`config.idempotency`): the same key with another body is refused.
    checkout_hash = models.CharField(_("отпечаток запроса"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("заказ")
        verbose_name_plural = _("заказы")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="order_user_created_idx"),
            models.Index(fields=["status", "created_at"], name="order_status_created_idx"),
            models.Index(fields=["status", "pay_by"], name="order_status_pay_by_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_non_negative"),
            models.CheckConstraint(condition=Q(discount_amount__gte=0), name="order_discount_non_negative"),
            models.CheckConstraint(condition=Q(final_amount__gte=0), name="order_final_non_negative"),
            models.CheckConstraint(condition=Q(delivery_amount__gte=0), name="order_delivery_non_negative"),
            # Compared within half a kopeck: SQLite keeps decimals as floating point numbers.
            models.CheckConstraint(
                condition=Q(
                    final_amount__gte=F("total_amount")
                    - F("discount_amount")
                    + F("delivery_amount")
                    - Decimal("0.005")
                )
                & Q(
                    final_amount__lte=F("total_amount")
                    - F("discount_amount")
                    + F("delivery_amount")
                    + Decimal("0.005")
                ),
                name="order_final_is_total_minus_discount_plus_delivery",
            ),
            models.UniqueConstraint(
                fields=["user", "checkout_key"], condition=~Q(checkout_key=""), name="order_checkout_key_unique"
            ),
        ]

    def __str__(self):
        return self.order_number

    def get_absolute_url(self):
        return reverse("shop:order", kwargs={"number": self.order_number})

    def can_transition_to(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS.get(self.status, frozenset())

    def priced_items(self) -> list["OrderItem"] | None:
        """The order's lines with their products, when their sums after the discount add up to the goods' part
        of the order (`final_amount − delivery_amount`); None for an order whose lines do not explain its amount
        (one made by hand): it is receipted and refunded as one whole."""
        items = list(self.items.select_related("product").order_by("id"))
        goods = kopecks(self.final_amount) - kopecks(self.delivery_amount)
        if not items or sum(kopecks(item.final_amount) for item in items) != goods:
            return None
        return items

    @property
    def refunded_amount(self) -> Decimal:
        """What went back to the customer: the sum of the order's succeeded refunds (the `refunded_total` a list
        annotates, else the prefetched refunds); all of it for a refunded order (one refunded by hand has no
        refund rows)."""
        if self.status == OrderStatus.REFUNDED:
            return self.final_amount
        annotated = self.__dict__.get("refunded_total")
        if annotated is not None:
            return Decimal(annotated).quantize(Decimal("0.01"))
        return sum(
            (refund.amount for refund in self.refunds.all() if refund.status == RefundStatus.SUCCEEDED),
            Decimal("0.00"),
        )

    @property
    def items_refunded(self) -> list[tuple["OrderItem", int]]:
        """Each line with its units refunded by succeeded refunds (reads the prefetched items and refunds)."""
        units: dict[int, int] = {}
        for refund in self.refunds.all():
            if refund.status == RefundStatus.SUCCEEDED:
                for line in refund.lines.all():
                    units[line.item_id] = units.get(line.item_id, 0) + line.quantity
        return [(item, units.get(item.pk, 0)) for item in self.items.all()]

    @property
    def net_amount(self) -> Decimal:
        """What the customer paid net of refunds (zero for an order nobody paid)."""
        if self.status not in OrderStatus.HOLDS_PAYMENT:
            return Decimal("0.00")
        return max(self.final_amount - self.refunded_amount, Decimal("0.00"))

    @property
    def is_cancellable(self) -> bool:
        """Only an order nobody has paid for may be cancelled (by its customer, staff or the timeout)."""
        return self.status == OrderStatus.PENDING and self.payment_status in PaymentStatus.UNPAID


class OrderEvent(models.Model):
    """One entry of an order's timeline: what happened (placed, paid, shipped with its tracking number…)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("заказ"))
    status = models.CharField(_("статус заказа"), max_length=16, choices=OrderStatus.choices)
    message = models.CharField(_("событие"), max_length=255)
    tracking_number = models.CharField(_("трек-номер"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("событие заказа")
        verbose_name_plural = _("история заказа")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.message


class OrderItem(models.Model):
    """One line of an order at the price of the day; a preorder line belongs to exactly one wave."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items", verbose_name=_("заказ"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="order_items", verbose_name=_("товар")
    )
    size = models.CharField(_("размер"), max_length=32)
    quantity = models.PositiveIntegerField(_("количество"))
    price = models.DecimalField(_("цена, ₽"), max_digits=12, decimal_places=2)
    # The line's share of the order's discount and its sum after it, written when the order is placed (the
    # shares add up to the order's discount to the kopeck): receipts, refunds and reports read these.
    discount_amount = models.DecimalField(_("скидка, ₽"), max_digits=12, decimal_places=2, default=0)
    final_amount = models.DecimalField(_("сумма со скидкой, ₽"), max_digits=12, decimal_places=2)
    is_preorder = models.BooleanField(_("предзаказ"), default=False)
    preorder_wave = models.ForeignKey(
        "preorders.PreorderWave",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_items",
        verbose_name=_("волна"),
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("позиция заказа")
        verbose_name_plural = _("позиции заказа")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_item_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="order_item_price_non_negative"),
            models.CheckConstraint(condition=Q(discount_amount__gte=0), name="order_item_discount_non_negative"),
            models.CheckConstraint(condition=Q(final_amount__gte=0), name="order_item_final_non_negative"),
            models.CheckConstraint(
                condition=Q(is_preorder=False, preorder_wave__isnull=True)
                | Q(is_preorder=True, preorder_wave__isnull=False),
                name="order_item_preorder_has_wave",
            ),
        ]

    def __str__(self):
        return f"{self.product_id} {self.size} × {self.quantity}"

    def save(self, *args, **kwargs):
        # A line written without its amounts (by hand, in the admin) has no share of a discount.
        if self.final_amount is None:
            self.final_amount = self.price * self.quantity - (self.discount_amount or 0)
        super().save(*args, **kwargs)

    @property
    def line_total(self):
        return self.price * self.quantity

    def units_amount(self, units: int, *, units_before: int = 0, amount_before: int = 0) -> int:
        """What `units` of this line are worth after the discount, in kopecks, when `units_before` of its units
        (worth `amount_before` kopecks) were counted before: the last units take what is left of the line, so
        the parts of a line (refunds, settlement receipts) add up to its `final_amount` exactly."""
        final = kopecks(self.final_amount)
        if units_before + units >= self.quantity:
            return final - amount_before
        return final * units // self.quantity


# --- Refunds by line ------------------------------------------------------------------------------------------
class RefundStatus(models.TextChoices):
    """Mirrors the YooKassa refund; `pending` until YooKassa has answered that it went through."""

    PENDING = "pending", _("Ожидает ЮKassa")
    SUCCEEDED = "succeeded", _("Выполнен")
    CANCELED = "canceled", _("Отклонён")


class OrderRefund(models.Model):
    """Money returned for some units of an order (or all of it), with its own 54-FZ refund receipt.

    Its effects (units back to stock or waves, the promo use, the order's status) happen once, when the refund
    moves from `pending` to `succeeded`. A refund asked for by a request (`request_key`: the API's
    `Idempotency-Key`, the admin confirmation's one-time token) has its `idempotence_key` derived from that key, so
    a repeat of the request reuses the row and YooKassa's refund however late it comes.
    """

    Status = RefundStatus

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds", verbose_name=_("заказ"))
    amount = models.DecimalField(_("сумма, ₽"), max_digits=12, decimal_places=2)
    delivery_amount = models.DecimalField(_("в том числе доставка, ₽"), max_digits=12, decimal_places=2, default=0)
    # An order whose lines do not explain its amount goes back whole, as one receipt item.
    whole_amount = models.DecimalField(
        _("весь заказ одной строкой, ₽"), max_digits=12, decimal_places=2, default=0
    )
    is_full = models.BooleanField(_("весь заказ"), default=False)
    restock = models.BooleanField(_("товар возвращён на склад"), default=False)
    status = models.CharField(
        _("статус"), max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    refund_id = models.CharField(_("возврат ЮKassa"), max_length=64, blank=True, db_index=True)
    idempotence_key = models.CharField(_("ключ идемпотентности"), max_length=64, unique=True)
    # The request that asked for it (the API's Idempotency-Key, the admin confirmation's one-time token) and a
    # hash of what it asked: a repeat of the request finds this refund instead of making another.
    request_key = models.CharField(_("ключ запроса"), max_length=64, blank=True, editable=False)
    request_hash = models.CharField(_("отпечаток запроса"), max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("сотрудник"),
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    succeeded_at = models.DateTimeField(_("выполнен"), null=True, blank=True)

    class Meta:
        verbose_name = _("возврат")
        verbose_name_plural = _("возвраты")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_refund_amount_positive"),
            models.UniqueConstraint(
                fields=["order", "request_key"],
                condition=~Q(request_key=""),
                name="order_refund_request_key_unique",
            ),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.amount}"


class OrderRefundLine(models.Model):
    refund = models.ForeignKey(
        OrderRefund, on_delete=models.CASCADE, related_name="lines", verbose_name=_("возврат")
    )
    item = models.ForeignKey(
        OrderItem, on_delete=models.PROTECT, related_name="refund_lines", verbose_name=_("позиция")
    )
    quantity = models.PositiveIntegerField(_("количество"))
    amount = models.DecimalField(_("сумма, ₽"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("позиция возврата")
        verbose_name_plural = _("позиции возврата")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_refund_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.item_id} × {self.quantity}"


# --- Settlement receipts of preorders ---------------------------------------------------------------------------
class SettlementStatus(models.TextChoices):
    PENDING = "pending", _("Отправляется")
    SENT = "sent", _("Отправлен")
    FAILED = "failed", _("Не отправлен")


class SettlementReceipt(models.Model):
    """The second, settlement receipt (54-FZ) of a prepaid order's lines in one wave, sent when the wave ships.

    One row per order and wave (a unique constraint), written before the receipt is sent, so a retry or a
    second move of the wave never sends a second one; its idempotence key is derived from the row.
    """

    Status = SettlementStatus

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="settlement_receipts", verbose_name=_("заказ")
    )
    wave = models.ForeignKey(
        "preorders.PreorderWave", on_delete=models.PROTECT, related_name="+", verbose_name=_("волна")
    )
    amount = models.DecimalField(_("сумма, ₽"), max_digits=12, decimal_places=2, default=0)
    status = models.CharField(
        _("статус"), max_length=16, choices=SettlementStatus.choices, default=SettlementStatus.PENDING
    )
    receipt_id = models.CharField(_("чек ЮKassa"), max_length=64, blank=True)
    attempts = models.PositiveIntegerField(_("попыток"), default=0)
    last_error = models.CharField(_("последняя ошибка"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    sent_at = models.DateTimeField(_("отправлен"), null=True, blank=True)

    class Meta:
        verbose_name = _("чек зачёта предоплаты")
        verbose_name_plural = _("чеки зачёта предоплаты")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "wave"], name="settlement_receipt_once_per_order_wave"),
        ]

    def __str__(self):
        return f"{self.order_id} / {self.wave_id}: {self.status}"
