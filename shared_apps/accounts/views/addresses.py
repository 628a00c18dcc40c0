"""A person's e-mail addresses: add, verify, make primary, remove."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shared_apps.accounts import selectors
from shared_apps.accounts.forms import (
    EmailAddForm,
)
from shared_apps.accounts.services.addresses import (
    account_email_add,
    account_email_ensure_primary,
    account_email_make_primary,
    account_email_remove,
    account_email_verification_resend,
)
from shared_apps.accounts.views.common import account_required

# --- E-mail addresses ---------------------------------------------------------------------------------------


def _emails_page(
    request: HttpRequest, *, form: EmailAddForm | None = None, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    context = {
        "form": form or EmailAddForm(),
        "addresses": selectors.account_emails(account=account),
        "errors": errors or [],
        "is_civil_servant": selectors.account_is_civil_servant(account=account),
    }
    return render(request, "accounts/emails.html", context, status=status)


@require_http_methods(["GET", "POST"])
@account_required
def emails(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    if request.method == "GET":
        account_email_ensure_primary(account=account)
        return _emails_page(request)
    form = EmailAddForm(request.POST)
    if form.is_valid():
        try:
            row = account_email_add(
                account=account, email=form.cleaned_data["email"], make_primary=form.cleaned_data["make_primary"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if form.cleaned_data["make_primary"]:
                sent = _(
                    "We sent a link to %(email)s. "
                    "The address counts once you follow it and becomes your primary address."
                )
            else:
                sent = _("We sent a link to %(email)s. The address counts once you follow it.")
            messages.success(request, sent % {"email": row.email})
            return redirect("accounts:emails")
    return _emails_page(request, form=form, status=422)


_EMAIL_ACTIONS: dict[str, tuple[Callable[..., Any], Any]] = {
    "remove": (account_email_remove, gettext_lazy("The address is removed.")),
    "primary": (
        account_email_make_primary,
        gettext_lazy("That is now your primary address: you sign in with it."),
    ),
    "resend": (account_email_verification_resend, gettext_lazy("We sent a new verification link.")),
}


@require_POST
@account_required
def email_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in _EMAIL_ACTIONS:
        return _emails_page(
            request,
            errors=[_("'%(action)s' is not something you can do with an address.") % {"action": action}],
            status=404,
        )
    run, done = _EMAIL_ACTIONS[action]
    try:
        run(account=request.account, account_email_id=pk)  # type: ignore[attr-defined]
    except ValidationError as exc:
        return _emails_page(request, errors=list(exc.messages), status=422)
    messages.success(request, done)
    return redirect("accounts:emails")
