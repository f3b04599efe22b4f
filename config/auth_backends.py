"""django-axes, kept to the admin's login: the storefront and the API limit their own attempts."""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler


class AdminLockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out admin login before any password is checked; steps aside everywhere else.

    axes insists on a request; sign-ins without one (tests, management commands) are not the admin's login page.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AdminAttemptsHandler(AxesDatabaseHandler):
    """axes's database records, of the admin's sign-ins only (the storefront's are counted in the shared cache)."""

    def _watched(self, request) -> bool:
        return request is not None and self.is_admin_request(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if self._watched(request):
            super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        if self._watched(request):
            super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        if self._watched(request):
            super().user_logged_out(sender, request, user, **kwargs)
