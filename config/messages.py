"""One message per outcome in the back office.

Django's admin says «Сохранено: …» after `save_model` returns, even when the shop refused the change and
`save_model` said so; this storage drops a success message of a request that also carries a refusal (ERROR),
whichever came first. The storefront's messages are left as they are.
"""

from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.urls import reverse


class OneOutcomeStorage(FallbackStorage):
    def add(self, level, message, extra_tags=""):
        if self._in_admin():
            if level == constants.SUCCESS and any(m.level == constants.ERROR for m in self._queued_messages):
                return
            if level == constants.ERROR:
                self._queued_messages = [m for m in self._queued_messages if m.level != constants.SUCCESS]
        super().add(level, message, extra_tags)

    def _in_admin(self) -> bool:
        return self.request.path.startswith(reverse("admin:index"))
