"""The client's address, one rule for the whole shop (login limits, the admin's lockout, YooKassa's senders)."""

import ipaddress

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


def address_network(address: str) -> str:
    """The network an address is counted under by per-address limits: its /24 (IPv4) or /64 (IPv6).

    One host holds a whole IPv6 /64, and a few neighbouring IPv4 addresses cost an attacker nothing: counting each
    address apart would let one client multiply its allowance. Anything that is not an address is its own key.
    """
    try:
        ip = ipaddress.ip_address(str(address).strip())
    except ValueError:
        return str(address)[:64]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
