"""Two-factor authentication: set up an authenticator, or switch it off."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shared_apps.accounts import selectors
from shared_apps.accounts.forms import (
    CodeForm,
)
from shared_apps.accounts.models import Account
from shared_apps.accounts.services.sign_in import (
    account_sign_in_succeeded,
)
from shared_apps.accounts.services.two_factor import totp_disable, totp_setup_confirm, totp_setup_start
from shared_apps.accounts.tokens import totp_qr_svg, totp_uri
from shared_apps.accounts.views.common import account_required, client_ip, complete_sign_in, pending_sign_in, safe_next

# --- Two-factor authentication --------------------------------------------------------------------------------


def _two_factor_page(
    request: HttpRequest, account: Account, *, form: CodeForm | None = None, pending: bool = False, status: int = 200
) -> HttpResponse:
    enabled = selectors.account_second_factor_enabled(account=account)
    context: dict[str, Any] = {
        "account": account,
        "enabled": enabled,
        "required": selectors.account_second_factor_required(account=account),
        "pending": pending,
        "form": form or CodeForm(),
    }
    if not enabled:
        secret = totp_setup_start(account=account)
        uri = totp_uri(secret=secret, email=account.email)
        context.update(secret=secret, uri=uri, qr_svg=totp_qr_svg(uri=uri))
    return render(request, "accounts/two_factor.html", context, status=status)


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up (and confirm) an authenticator: when signed in, or to finish a sign-in that requires it."""
    account = selectors.account_for_user(user=request.user)
    pending = None
    if account is None:
        pending = pending_sign_in(request)
        if pending is None:
            return redirect_to_login(request.get_full_path())
        account = pending[0]
        if selectors.account_second_factor_enabled(account=account):
            return redirect("accounts:login_two_factor")
    if request.method == "GET":
        return _two_factor_page(request, account, pending=pending is not None)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            totp_setup_confirm(account=account, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Two-factor authentication is on. Signing in now asks for a code."))
            if pending is not None:
                account_sign_in_succeeded(account=account)
                return complete_sign_in(request, account, safe_next(request, pending[1].get("next", "")))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, account, form=form, pending=pending is not None, status=422)


@require_POST
@account_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            totp_disable(account=account, code=form.cleaned_data["code"], ip=client_ip(request))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, account, form=form, status=422)
