"""Background tasks of the accounts app (django-tasks; `manage.py db_worker` runs them)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from accounts.sms_backends import sms_send

logger = logging.getLogger("dwc.sms")

SMS_MAX_ATTEMPTS = 5
SMS_RETRY_DELAY = timedelta(seconds=30)  # doubled after every failed attempt


@task()
def sms_deliver(*, phone: str, text: str, attempt: int = 1) -> None:
    """Send one SMS; a failed send is queued again later, up to `SMS_MAX_ATTEMPTS` attempts in all.

    django-tasks does not retry by itself: a failed attempt queues the next one (with a growing delay when
    the backend can defer) and is then recorded as failed.
    """
    max_attempts = getattr(settings, "SMS_MAX_ATTEMPTS", SMS_MAX_ATTEMPTS)
    try:
        sms_send(phone, text)
    except Exception:
        if attempt >= max_attempts:
            logger.exception("SMS to %s given up after %d attempts", phone, attempt)
            raise
        logger.warning("SMS to %s failed (attempt %d of %d), retrying", phone, attempt, max_attempts)
        _sms_retry(phone=phone, text=text, attempt=attempt + 1)
        raise


def _sms_retry(*, phone: str, text: str, attempt: int) -> None:
    retry = sms_deliver
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + SMS_RETRY_DELAY * 2 ** (attempt - 2))
    try:
        retry.enqueue(phone=phone, text=text, attempt=attempt)
    except Exception:
        logger.exception("Could not queue the retry of the SMS to %s", phone)
