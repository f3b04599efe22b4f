"""Delivery keeps no tables of its own: CDEK's lists are read through its API and cached."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryMethod(models.TextChoices):
    CDEK_PICKUP = "cdek_pickup", _("Пункт выдачи СДЭК")
    COURIER = "courier", _("Курьер")
