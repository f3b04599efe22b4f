"""Account reads."""

from accounts.models import User


def user_phone_taken(*, phone: str) -> bool:
    """Whether an account already uses this phone (already normalised to E.164)."""
    return User.objects.filter(phone=phone).exists()
