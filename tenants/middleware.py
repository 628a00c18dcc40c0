"""Selects the schema for each request. Must be the first middleware.

The decision itself is ``tenants.selectors.resolve_host``; this class only applies it:
the public schema and ``PUBLIC_SCHEMA_URLCONF`` for the shared space, the organisation's schema
and ``ROOT_URLCONF`` for a subsite, and a plain 404 that names nobody for an unknown host.
Health probes (``/healthz``, ``/readyz``) answer on any host, before host validation, since load
balancers call them by IP address.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import set_urlconf
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from tenants import health
from tenants.hosts import allow_registered_host, forget_registered_host
from tenants.naming import host_without_port
from tenants.selectors import resolve_host

HEALTH_VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": health.healthz,
    "/readyz": health.readyz,
}


def unknown_host_response() -> HttpResponse:
    """The answer for a host that is not on the platform: the same few bytes for every such host."""
    return HttpResponseNotFound("Not found.\n", content_type="text/plain; charset=utf-8")


def organisation_unavailable_response(request: HttpRequest, organisation) -> HttpResponse | None:  # type: ignore[no-untyped-def]
    """The page shown instead of the subsite while it is being set up, suspended or being deleted."""
    status = organisation.status
    if status == organisation.Status.ACTIVE:
        return None
    # Answered before LocaleMiddleware has run: the language of this request is chosen here.
    with translation.override(translation.get_language_from_request(request)):
        name = {"name": organisation.name}
        pages = {
            organisation.Status.PROVISIONING: (
                503,
                _("%(name)s is being set up") % name,
                _("Please try again in a moment."),
            ),
            organisation.Status.SUSPENDED: (
                503,
                _("%(name)s is suspended") % name,
                _("This intranet is temporarily unavailable. Its content is kept; please contact the organisation."),
            ),
            organisation.Status.PENDING_DELETION: (
                410,
                _("%(name)s has been closed") % name,
                _("This intranet is no longer available."),
            ),
        }
        code, headline, explanation = pages[status]
        response = render(
            request,
            "tenants/unavailable.html",
            {"organisation": organisation, "headline": headline, "explanation": explanation},
            status=code,
        )
        response.headers.setdefault("Content-Language", translation.get_language())
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    if code == 503:
        response["Retry-After"] = "3600"
    return response


def primary_domain_redirect(request: HttpRequest, primary: str, *, host: str) -> HttpResponse:
    """301 from any other domain of the organisation to the same path (and port) on its primary domain."""
    _, _, port = host.rpartition(":") if ":" in host and not host.endswith("]") else ("", "", "")
    suffix = f":{port}" if port and port not in ("80", "443") else ""
    return HttpResponsePermanentRedirect(f"{request.scheme}://{primary}{suffix}{request.get_full_path()}")


class OrganisationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        connection.set_schema_to_public()
        token = None
        try:
            probe = HEALTH_VIEWS.get(request.path_info.rstrip("/"))
            if probe is not None:
                return probe(request)
            # The registry decides first; only a registered host reaches Django's host validation.
            raw_host = request._get_raw_host()
            resolution = resolve_host(host=raw_host)
            if resolution is None:
                return unknown_host_response()
            token = allow_registered_host(host_without_port(raw_host))
            try:
                host = request.get_host()
            except DisallowedHost:
                return unknown_host_response()
            if resolution.organisation is None:
                request.tenant = connection.tenant  # the public schema
                request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
                set_urlconf(request.urlconf)
            else:
                organisation = resolution.organisation
                unavailable = organisation_unavailable_response(request, organisation)
                if unavailable is not None:
                    return unavailable
                primary = resolution.primary_domain
                if primary and host_without_port(host) != primary:
                    return primary_domain_redirect(request, primary, host=host)
                organisation.domain_url = host
                request.tenant = organisation
                connection.set_tenant(organisation)
            return self.get_response(request)
        finally:
            if token is not None:
                forget_registered_host(token)
            # Leave the connection where every request starts, so nothing leaks into the next one.
            connection.set_schema_to_public()
            set_urlconf(None)
