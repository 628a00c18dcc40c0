"""Silent sign-in: a person signed in on the shared space is signed in on a subsite without a click.

For an anonymous browser navigation to a page of a subsite (``GET`` with ``Sec-Fetch-Dest: document``,
which browsers send and crawlers do not), once per session: off to the provider with ``prompt=none``. If
the person is signed in there, the callback signs them in here and returns to the page; if not, the
provider answers ``login_required`` and the callback returns to the page anonymous. The session is marked
as checked before leaving, so the round trip happens at most once, whatever its outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_tenants.utils import get_public_schema_name

from tenant_apps.sso.relying_party import CHECKED_KEY, SignOnUnavailable, authorization_redirect, safe_next

logger = logging.getLogger(__name__)

#: Not pages: sign-in itself, files.
SKIPPED_PREFIXES = ("/accounts/", "/documents/", "/favicon.ico", "/robots.txt")


class SilentSignInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _wants_silent_check(request):
            request.session[CHECKED_KEY] = True
            try:
                return authorization_redirect(
                    request, next_url=safe_next(request, request.get_full_path()), silent=True
                )
            except SignOnUnavailable as exc:
                logger.warning("Silent sign-in skipped on %s: %s", request.get_host(), exc)
        return self.get_response(request)


def _wants_silent_check(request: HttpRequest) -> bool:
    if request.method != "GET":
        return False
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return False  # the shared space is the provider itself
    headers = request.headers
    if headers.get("Sec-Fetch-Dest") != "document" or headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
        return False  # not a browser navigation to a page (crawlers, scripts, images, frames)
    if "prefetch" in headers.get("Sec-Purpose", "") or "prefetch" in headers.get("Purpose", ""):
        return False
    path = request.path
    if path.startswith(SKIPPED_PREFIXES) or path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
        return False
    if request.user.is_authenticated:
        return False
    return not request.session.get(CHECKED_KEY)
