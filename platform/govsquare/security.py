"""The Content-Security-Policy of every response (django-csp), with the one allowance the Wagtail admin needs.

The policy itself is ``CONTENT_SECURITY_POLICY`` in the settings: scripts from this origin only, inline ones
only with the request's nonce. Wagtail 8's admin still renders a few inline scripts of its own (inline panels,
date and time widgets), so under ``WAGTAIL_ADMIN_CSP_PREFIXES`` scripts may also be inline; a nonce there would
switch 'unsafe-inline' off again in every browser, so the admin's policy carries none.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

_ADMIN_SCRIPTS = {"script-src": ["'self'", "'unsafe-inline'"]}


def is_wagtail_admin_path(path: str) -> bool:
    """Whether ``path`` is under the Wagtail admin, whose own inline scripts the policy must allow."""
    prefixes = tuple(getattr(settings, "WAGTAIL_ADMIN_CSP_PREFIXES", ["/admin/"]))
    return bool(prefixes) and path.startswith(prefixes)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware; in the Wagtail admin, inline scripts are allowed (and no nonce is sent); a
    response that lets its own site frame it (``X-Frame-Options: SAMEORIGIN``) gets ``frame-ancestors 'self'``."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request=request, response=response, report_only=report_only)
        if report_only:
            return parts
        if is_wagtail_admin_path(request.path_info):
            parts.replace = {**(parts.replace or {}), **_ADMIN_SCRIPTS}
            parts.nonce = None
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            # A view that lets its own site frame it (Wagtail's preview panel): frame-ancestors says the same,
            # else it would override that header in every current browser.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        return parts
