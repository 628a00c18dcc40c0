"""Sign-in (with the second step when one is due) and sign-out."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shared_apps.accounts import selectors
from shared_apps.accounts.forms import (
    CodeForm,
    SignInForm,
)
from shared_apps.accounts.selectors import SecondFactor
from shared_apps.accounts.services.sign_in import (
    SignIn,
    SignInOutcome,
    account_password_check,
    account_second_factor_check,
)
from shared_apps.accounts.views.common import (
    PENDING,
    client_ip,
    complete_sign_in,
    pending_sign_in,
    refused_sign_in,
    safe_next,
)

# --- Sign-in, second step, sign-out ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.method == "GET":
        return render(request, "accounts/sign_in.html", {"form": SignInForm(), "next": next_url})
    form = SignInForm(request.POST)
    context = {"form": form, "next": next_url}
    if not form.is_valid():
        return render(request, "accounts/sign_in.html", context, status=422)
    outcome = account_password_check(
        email=form.cleaned_data["email"], password=form.cleaned_data["password"], ip=client_ip(request)
    )
    if not outcome.ok or outcome.account is None:
        form.add_error(None, outcome.message)
        return refused_sign_in(request, "accounts/sign_in.html", context, outcome)
    if outcome.second_factor == SecondFactor.NONE:
        return complete_sign_in(request, outcome.account, next_url)
    request.session.cycle_key()
    request.session[PENDING] = {"account": str(outcome.account.pk), "at": time.time(), "next": next_url}
    if outcome.second_factor == SecondFactor.SETUP:
        messages.info(
            request,
            _(
                "Platform operators and organisation administrators sign in with two-factor authentication. "
                "Set up your authenticator app to finish signing in."
            ),
        )
        return redirect("accounts:two_factor")
    return redirect("accounts:login_two_factor")


@require_http_methods(["GET", "POST"])
def sign_in_two_factor(request: HttpRequest) -> HttpResponse:
    pending = pending_sign_in(request)
    if pending is None:
        messages.info(request, _("Your sign-in took too long or was not started. Please sign in again."))
        return redirect("accounts:login")
    account, data = pending
    if not selectors.account_second_factor_enabled(account=account):
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST or None)
    if request.method == "GET":
        return render(request, "accounts/sign_in_two_factor.html", {"form": form})
    if not form.is_valid():
        return render(request, "accounts/sign_in_two_factor.html", {"form": form}, status=422)
    outcome = account_second_factor_check(account=account, code=form.cleaned_data["code"], ip=client_ip(request))
    if not outcome.ok:
        form.add_error("code" if outcome.status == SignIn.INVALID else None, _code_refusal(outcome))
        return refused_sign_in(request, "accounts/sign_in_two_factor.html", {"form": form}, outcome)
    return complete_sign_in(request, account, safe_next(request, data.get("next", "")))


def _code_refusal(outcome: SignInOutcome) -> str:
    if outcome.status == SignIn.INVALID:
        return _("That code is not right. Type the six digits your app shows now.")
    return outcome.message


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/sign_out.html")
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
