from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.models import TimeStampedModel


class CartItem(TimeStampedModel):
    """One line of a signed-in customer's cart, kept so the cart follows them across devices and logins.

    Anonymous visitors keep their cart in the session; it joins these rows when they sign in.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items", verbose_name=_("покупатель")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="cart_items", verbose_name=_("товар")
    )
    size = models.CharField(_("размер"), max_length=32)
    quantity = models.PositiveIntegerField(_("количество"))

    class Meta:
        verbose_name = _("позиция корзины")
        verbose_name_plural = _("позиции корзины")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "product", "size"], name="cart_item_unique_user_product_size"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_item_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.product_id} {self.size} × {self.quantity}"
