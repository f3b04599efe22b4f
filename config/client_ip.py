"""The client's address, one rule for the whole shop (login limits, the admin's lockout, YooKassa's senders)."""

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or with `TRUSTED_PROXY_COUNT` proxies in front the address the outermost of them saw.

    Only the last `TRUSTED_PROXY_COUNT` entries of X-Forwarded-For are written by proxies we run; anything before
    them is whatever the client chose to send, so it is never trusted.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote_addr
    return forwarded[-min(proxies, len(forwarded))]
