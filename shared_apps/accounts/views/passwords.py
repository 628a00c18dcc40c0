"""Password reset: ask for a link, follow it, choose a new password."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shared_apps.accounts.forms import (
    EmailForm,
    SetPasswordForm,
)
from shared_apps.accounts.services.passwords import (
    account_password_reset_account,
    account_password_reset_confirm,
    account_password_reset_request,
)
from shared_apps.accounts.views.common import problem_page

# --- Password reset -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_password_reset_request(email=form.cleaned_data["email"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("accounts:password_reset_done")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        account_password_reset_account(token=token)
    except ValidationError as exc:
        return problem_page(request, title=_("Set a new password"), text=" ".join(exc.messages), status=400)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_password_reset_confirm(token=token, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your new password is set. Sign in with it."))
            return redirect("accounts:login")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=status)
