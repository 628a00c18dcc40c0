"""Rate limits on the actions an attacker repeats: sign-up, password reset, invitations, operator API tokens.

Sign-in has its own lockout per account and throttle per address (``throttle.py``); everything else that
sends mail or guesses a secret is counted here with django-ratelimit, in the cache, per client address and
(where there is one) per account or e-mail address. Over the limit, the answer is a clear 429 with
``Retry-After``, before the view runs, so nothing is written or sent.

The counters live under the public schema's cache keys (as in ``throttle.py``): spreading attempts over the
subsites does not buy more of them. A cache that does not answer lets requests through (fail open): Redis
being down must not stop sign-up; the sign-in lockout and the services' own checks still apply.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import get_usage
from django_tenants.utils import get_public_schema_name, schema_context

from shared_apps.accounts import selectors
from shared_apps.accounts.client_address import client_ip

Key = Callable[[str, HttpRequest], str]


def client_address(group: str, request: HttpRequest) -> str:
    """The client's address as the sign-in throttle sees it (``client_address.client_ip``, behind proxies too)."""
    return "address:" + (client_ip(request) or "unknown")


def _account_key(group: str, request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    account = selectors.account_for_user(user=user) if user is not None else None
    return f"account:{account.pk}" if account is not None else client_address(group, request)


def _email_key(group: str, request: HttpRequest) -> str:
    return "email:" + request.POST.get("email", "").strip().lower()


@dataclass(frozen=True)
class Limit:
    """One rate: the setting that holds it ("<count>/<period>", e.g. "5/h"), its default and its keys."""

    group: str
    setting: str
    default: str
    keys: tuple[Key, ...]
    message: object  # a lazy translation

    def rate(self) -> str:
        return str(getattr(settings, self.setting, self.default))


SIGN_UP = Limit(
    "sign-up",
    "ACCOUNT_SIGNUP_RATE",
    "10/h",
    (client_address,),
    gettext_lazy("Too many accounts were created from your network address."),
)
PASSWORD_RESET = Limit(
    "password-reset",
    "ACCOUNT_PASSWORD_RESET_RATE",
    "5/h",
    (client_address, _email_key),
    gettext_lazy("Too many password reset links were asked for."),
)
INVITATION = Limit(
    "invitation",
    "ACCOUNT_INVITATION_RATE",
    "50/h",
    (_account_key, client_address),
    gettext_lazy("Too many invitations were sent."),
)
API_TOKEN = Limit(
    "operator-api-token",
    "OPERATOR_API_TOKEN_RATE",
    "10/h",
    (client_address,),
    gettext_lazy("Too many requests with an invalid operator token came from your network address."),
)

#: POSTs to these views (by URL name) count against the limit, whether they succeed or not.
LIMITED_VIEWS: dict[str, Limit] = {
    "accounts:signup": SIGN_UP,
    "accounts:password_reset": PASSWORD_RESET,
    "members_invite": INVITATION,  # an organisation's Wagtail admin (tenant_apps.members)
    "members_invitation_resend": INVITATION,
    "groups:invite": INVITATION,  # a group's managers in the shared space
    "groups:invitation_resend": INVITATION,
}
#: Under this path, answers 401 (an unknown or revoked operator token) count; over the limit, 429.
OPERATOR_API_PREFIX = "/api/operator/"


def _usage(limit: Limit, request: HttpRequest, *, increment: bool) -> int | None:
    """Seconds until ``request`` may try again if it is over ``limit`` (after counting it); else ``None``."""
    wait = None
    for key in limit.keys:
        try:
            with schema_context(get_public_schema_name()):
                usage = get_usage(request, group=limit.group, key=key, rate=limit.rate(), increment=increment)
        except (redis.RedisError, OSError):
            continue  # fail open: see the module's docstring
        if usage is None:
            continue
        # Counted: over once this request went past the limit. Only looked at: over once it is reached.
        over = usage["count"] > usage["limit"] if increment else usage["count"] >= usage["limit"]
        if over:
            wait = max(wait or 0, usage["time_left"], 1)
    return wait


def too_many_requests(request: HttpRequest, *, limit: Limit, wait: int) -> HttpResponse:
    """The 429 answer: a page saying what was refused and when to try again, or JSON for the API."""
    text = str(limit.message)
    if request.path_info.startswith(OPERATOR_API_PREFIX):
        response: HttpResponse = JsonResponse(
            {"detail": text + " " + _("Try again in %(seconds)s seconds.") % {"seconds": wait}}, status=429
        )
    else:
        context = {"text": text, "minutes": max(1, math.ceil(wait / 60))}
        response = render(request, "accounts/too_many_requests.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


class RateLimitMiddleware:
    """Counts the limited requests and answers 429 once one is over its limit (after the CSRF check)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 401 and request.path_info.startswith(OPERATOR_API_PREFIX):
            _usage(API_TOKEN, request, increment=True)
        return response

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        if request.path_info.startswith(OPERATOR_API_PREFIX):
            wait = _usage(API_TOKEN, request, increment=False)
            return too_many_requests(request, limit=API_TOKEN, wait=wait) if wait else None
        if request.method != "POST" or request.resolver_match is None:
            return None
        limit = LIMITED_VIEWS.get(request.resolver_match.view_name)
        if limit is None:
            return None
        wait = _usage(limit, request, increment=True)
        return too_many_requests(request, limit=limit, wait=wait) if wait else None
