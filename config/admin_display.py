"""How the back office shows money and statuses: «4 990 ₽» in every column and a coloured badge per status."""

from django.utils.html import format_html

from config.money import rub


def money_cell(value) -> str:
    """An amount as people read it, kept on one line: «12 980 ₽»."""
    return format_html('<span class="dwc-money">{}</span>', rub(value))


def status_badge(value: str, label: str) -> str:
    """A status as a coloured badge (colours by status value in `static/backoffice/admin.css`)."""
    return format_html('<span class="dwc-badge dwc-badge--{}">{}</span>', value, label)
