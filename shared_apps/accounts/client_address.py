"""The address a request came from, as the sign-in throttle and the rate limits count it.

Behind a reverse proxy (nginx) every request arrives from the proxy's address (``REMOTE_ADDR``), and the
client's address is in ``X-Forwarded-For``, which each proxy extends with the address that connected to it.
Only the entries our own proxies added can be believed: anything to their left the client wrote itself.
The chain is read by python-ipware (through django-ipware), with these settings:

* ``TRUSTED_PROXY_COUNT`` (default 0): how many proxies stand in front of the application. 0: forwarded
  headers are ignored and ``REMOTE_ADDR`` is the client (a server reached directly).
* ``IPWARE_TRUSTED_PROXY_LIST`` (default empty): the addresses of those proxies (IPs, CIDR networks or
  prefixes such as ``"10.0."``). When set, a request whose ``REMOTE_ADDR`` is not one of them did not come
  through the proxy, and its forwarded headers are ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from python_ipware import IpWare

_FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _trusted_proxy(address: str, trusted: list[str]) -> bool:
    """Whether ``address`` is one of the ``IPWARE_TRUSTED_PROXY_LIST`` entries (IP, CIDR or prefix)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        entry = entry.strip()
        if "/" in entry:
            try:
                if ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        elif entry.endswith((".", ":")):
            if address.startswith(entry):
                return True
        elif address == entry:
            return True
    return False


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the entry of ``X-Forwarded-For`` that the trusted proxies
    vouch for (see the module's docstring); ``None`` when the request carries no address at all."""

    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    trusted = list(getattr(settings, "IPWARE_TRUSTED_PROXY_LIST", []) or [])
    forwarded = str(request.META.get(_FORWARDED_FOR) or "").strip()
    if count <= 0 or not remote or not forwarded:
        return remote or None
    if trusted and not _trusted_proxy(remote, trusted):
        return remote  # not through our proxy: whatever it forwards is the client's own writing
    # The proxy nearest to us is REMOTE_ADDR: the whole chain is the header followed by it, and the client is
    # the entry ``count`` places from its right end (python-ipware's proxy count over that chain).
    chain = {_FORWARDED_FOR: f"{forwarded}, {remote}"}
    ip, _trusted_route = IpWare(precedence=(_FORWARDED_FOR,), proxy_count=count).get_client_ip(chain, strict=False)
    return str(ip) if ip is not None else remote
