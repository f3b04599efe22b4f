"""Figures as staff read them: «11 800 ₽», «62,5 %»."""

from decimal import Decimal, InvalidOperation

from django import template

from config.money import rub

register = template.Library()

NBSP = "\u00a0"


def _grouped(value: Decimal, places: int) -> str:
    text = f"{value:,.{places}f}"
    return text.replace(",", NBSP).replace(".", ",")


register.filter("rub", rub)


@register.filter
def pct(value) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{_grouped(number, 1)}{NBSP}%"
