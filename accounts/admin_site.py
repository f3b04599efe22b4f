"""The back office's site: Django's, except that a locked account's session does not open it (and a dash for
an empty value)."""

from django.contrib import admin

from accounts.lockout import account_locked


class ShopAdminSite(admin.AdminSite):
    empty_value_display = "—"  # a dash, as the shop's own cells write an empty value, not Django's hyphen

    def has_permission(self, request):
        """Staff only, and not while the phone is locked for wrong passwords (typed here, on the storefront or
        in the API): a session made before the lock, or on the storefront's `/login/`, waits it out too."""
        return super().has_permission(request) and not account_locked(phone=request.user.phone, request=request)
