"""Phone numbers are the customer's login: one canonical E.164 form, whatever way they were typed."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def phone_normalize(raw: str) -> str:
    """Return the E.164 form (`+79161234567`) of a Russian-style number, or raise ValidationError.

    Accepts `8 916 …`, `+7 (916) …`, `7916…` and `916…`: a leading 8 is the domestic trunk prefix of +7.
    """
    text = str(raw or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or len(digits) > 15:
        raise ValidationError(_("Введите номер телефона в формате +7 999 123-45-67."), code="invalid_phone")
    if not text.startswith("+"):
        if len(digits) == 11 and digits[0] in "78":
            text = "+7" + digits[1:]
        elif len(digits) == 10:
            text = digits
        else:
            text = "+" + digits
    try:
        number = phonenumbers.parse(text, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Некорректный номер телефона."), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Некорректный номер телефона."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
