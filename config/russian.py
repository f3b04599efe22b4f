"""Russian forms, once: plurals that agree with their number, dates and phone numbers as people read them.

Money is `config.money.rub`. Templates use these through the `shop_tags` filters (`pluralize_ru`, `date_ru`,
`phone_ru`); Django's own admin strings go through Django's `ngettext` and the `ru` catalog.
"""

from datetime import date, datetime

import phonenumbers
from django.utils import dateformat, timezone, translation


def plural(count, one: str, few: str, many: str) -> str:
    """The form of a noun that agrees with `count`: `plural(1, "товар", "товара", "товаров")` → "товар";
    2–4 → "товара"; 5–20, 11–14 and the rest → "товаров" (the CLDR rule for Russian)."""
    n = abs(int(count))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count_ru(count, one: str, few: str, many: str) -> str:
    """`3 товара`, `5 товаров`: the number with its agreeing noun."""
    return f"{count} {plural(count, one, few, many)}"


def date_ru(value) -> str:
    """`27 ноября 2026`: the day, the month in the genitive, the year (local time for a datetime)."""
    if not isinstance(value, date):
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    with translation.override("ru"):
        return dateformat.format(value, "j E Y")


def datetime_ru(value) -> str:
    """`5 декабря 2026, 12:00`: `date_ru` and the local time, the one way a moment reads everywhere."""
    if not isinstance(value, datetime):
        return date_ru(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_ru(local)}, {local:%H:%M}"


def phone_ru(value) -> str:
    """`+7 916 123-45-67` for a stored E.164 number; anything that is no phone number as it was."""
    text = str(value or "")
    try:
        number = phonenumbers.parse(text, "RU")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
