"""The browser-facing addresses of the platform's own hosts, built one way for provider and clients alike.

The provider registers ``<origin of each domain>/accounts/callback/`` for an organisation's client, and the
subsite sends exactly that address in its sign-in request: both come from here, so they cannot drift apart.
Scheme and port come from ``PLATFORM_SCHEME`` and ``PLATFORM_PORT`` (the port is left out for 80 and 443).

Imports nothing that needs the settings at import time: the settings use ``origin`` to build the issuer.
"""

from __future__ import annotations

from django.conf import settings

from tenants.naming import host_without_port

CALLBACK_PATH = "/accounts/callback/"
#: Where the provider may send the browser after signing out: the subsite's home page.
POST_LOGOUT_PATH = "/"
#: The provider's URLs are mounted here on the shared space (``urls_public``).
PROVIDER_PATH = "/o"


def origin(*, scheme: str, host: str, port: int | str) -> str:
    """``scheme://host[:port]``; the port is omitted when it is the default for 80/443."""
    host = host.strip().lower().rstrip(".")
    suffix = "" if str(port) in ("80", "443", "") else f":{port}"
    return f"{scheme}://{host}{suffix}"


def host_origin(*, host: str) -> str:
    """The public origin of one of the platform's hosts (port in ``host`` is ignored: the setting decides)."""
    return origin(scheme=settings.PLATFORM_SCHEME, host=host_without_port(host), port=settings.PLATFORM_PORT)


def callback_url(*, host: str) -> str:
    return host_origin(host=host) + CALLBACK_PATH


def post_logout_url(*, host: str) -> str:
    return host_origin(host=host) + POST_LOGOUT_PATH
