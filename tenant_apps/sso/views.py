"""A subsite's sign-in and sign-out: thin views over ``tenant_apps.sso.relying_party``."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from tenant_apps.sso.relying_party import (
    CHECKED_KEY,
    ID_TOKEN_KEY,
    SignInFailed,
    SignOnUnavailable,
    authorization_redirect,
    complete_sign_in,
    end_session_url,
    safe_next,
)

logger = logging.getLogger(__name__)


def _message(request: HttpRequest, *, headline: str, message: str, status: int = 200, **extra: object) -> HttpResponse:
    return render(request, "sso/message.html", {"headline": headline, "message": message, **extra}, status=status)


@never_cache
@require_GET
def sign_in(request: HttpRequest) -> HttpResponse:
    """Off to the shared space to sign in; back to ``next`` (a page of this subsite) afterwards."""
    next_url = safe_next(request, request.GET.get("next"))
    if request.user.is_authenticated:
        # Not straight back to next: a page that sent a signed-in person here would send them back again.
        return _message(
            request,
            headline=_("You are signed in"),
            message=_("You are signed in as %(user)s.") % {"user": request.user},
            next_url=next_url,
        )
    try:
        return authorization_redirect(request, next_url=next_url, silent=False)
    except SignOnUnavailable as exc:
        logger.error("Sign-in on %s is unavailable: %s", request.get_host(), exc)
        return _message(
            request,
            headline=_("Signing in is not possible right now"),
            message=_("The platform's sign-in service cannot be reached. Please try again in a moment."),
            status=503,
        )


@never_cache
@csrf_exempt  # nothing is done with what is posted: no password is ever read here
@require_http_methods(["GET", "HEAD", "POST"])
def password_form_replacement(request: HttpRequest, *, default_next: str = "/") -> HttpResponse:
    """Wagtail's own password forms (``/admin/login/``, ``/_util/login/``) on a subsite: off to the sign-on flow.

    Signing in on a subsite goes through the shared space (one account, its two-factor step and lockout),
    so these forms never take a password: a GET or a POST alike is sent to ``/accounts/login/`` with the
    ``next`` it asked for, and nothing posted is read but ``next``.
    """
    candidate = request.GET.get("next") or (request.POST.get("next") if request.method == "POST" else None)
    next_url = safe_next(request, candidate or default_next)
    return HttpResponseRedirect(reverse("login") + "?" + urlencode({"next": next_url}))


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The shared space sends the browser back here with a code (or an error)."""
    try:
        outcome = complete_sign_in(request)
    except SignInFailed as failure:
        return _message(
            request,
            headline=_("You are not signed in"),
            message=str(failure),
            status=failure.status,
            retry_url="/accounts/login/?" + urlencode({"next": failure.next_url}),
        )
    return HttpResponseRedirect(outcome.next_url)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out here, on every other subsite and on the shared space.

    ``logout`` raises the account's session epoch (``identity_provider.sessions``), which ends its
    sessions on every host at their next request; the browser then goes to the provider's end-session
    endpoint, which ends the shared space's session at once and sends it back to this subsite's home page.
    """
    if request.method == "GET":
        return render(request, "sso/sign_out.html")
    was_signed_in = request.user.is_authenticated
    id_token = request.session.get(ID_TOKEN_KEY)
    logout(request)
    request.session[CHECKED_KEY] = True  # signed out on purpose: no silent sign-in on the way back
    return HttpResponseRedirect(end_session_url(request, id_token=id_token) if was_signed_in else "/")
