"""What the account pages share: the signed-in account, the next address, the pending sign-in, refusals."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from shared_apps.accounts import selectors
from shared_apps.accounts.client_address import client_ip
from shared_apps.accounts.models import Account
from shared_apps.accounts.services.sign_in import (
    SignInOutcome,
)
from shared_apps.people.services import local_user_for_account

View = Callable[..., HttpResponse]
__all__ = ["client_ip"]  # the sign-in views and the rate limits read the client's address from here

#: Sign-in on the shared space goes through the same backend as on every subsite.
BACKEND = settings.AUTHENTICATION_BACKENDS[0]
PENDING = "accounts.pending_sign_in"
PENDING_SECONDS = 600


# --- Helpers ------------------------------------------------------------------------------------------------


def safe_next(request: HttpRequest, value: str | None = None) -> str:
    """Where to go after signing in: a path on this host, else the default."""
    target = value if value is not None else (request.POST.get("next") or request.GET.get("next") or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def account_required(view: View) -> View:
    """Signed in with an active account (else to the sign-in page); the account is ``request.account``."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = selectors.account_for_user(user=request.user)
        if account is None:
            return redirect_to_login(request.get_full_path())
        request.account = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return guarded


def refused_sign_in(
    request: HttpRequest, template: str, context: dict[str, Any], outcome: SignInOutcome
) -> HttpResponse:
    """Re-show a sign-in step with the reason; 429 and ``Retry-After`` when it says until when."""
    status = 429 if outcome.retry_at is not None else 422
    response = render(request, template, context, status=status)
    if outcome.retry_at is not None:
        response["Retry-After"] = str(max(1, int((outcome.retry_at - timezone.now()).total_seconds())))
    return response


def pending_sign_in(request: HttpRequest) -> tuple[Account, dict[str, Any]] | None:
    """The half-done sign-in in this session (password right, second step due), if still fresh."""
    data = request.session.get(PENDING)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    account = Account.objects.filter(pk=data.get("account"), is_active=True).first()
    if account is None:
        request.session.pop(PENDING, None)
        return None
    return account, data


def complete_sign_in(request: HttpRequest, account: Account, next_url: str) -> HttpResponse:
    """Sign in as the account's local user of the shared space (made on first sign-in)."""
    request.session.pop(PENDING, None)
    user = local_user_for_account(account=account)
    if not user.is_active:
        messages.error(request, _("This account cannot sign in to the shared space."))
        return redirect("accounts:login")
    login(request, user, backend=BACKEND)
    return redirect(next_url)


def problem_page(request: HttpRequest, *, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "accounts/problem.html", {"title": title, "text": text}, status=status)
