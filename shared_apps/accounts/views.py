"""The account pages under ``/accounts/`` on the shared space: sign-up, sign-in (with the second step),
sign-out, e-mail verification, password reset, addresses, two-factor, profile, invitation sign-up.

Thin: reads through ``selectors``, writes through ``services``; a refusal re-shows the page with the
reason next to the form and the input kept (passwords excepted). Every change is a POST with CSRF.

Sign-in is two steps when a second factor is due: after the right password, the session holds a
*pending* sign-in (the account, when, where to go next) for ``PENDING_SECONDS``; the person is signed in
(``django.contrib.auth.login``) only after the code — or, for an operator or administrator without an
authenticator yet, after setting one up. Nothing else is reachable before that.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shared_apps.accounts import selectors, services
from shared_apps.accounts.forms import (
    CodeForm,
    EmailAddForm,
    EmailForm,
    InvitationSignUpForm,
    ProfileForm,
    SetPasswordForm,
    SignInForm,
    SignUpForm,
)
from shared_apps.accounts.language import language_remember
from shared_apps.accounts.mail import host_url
from shared_apps.accounts.models import Account
from shared_apps.accounts.selectors import SecondFactor
from shared_apps.accounts.services import SignInOutcome
from shared_apps.accounts.tokens import totp_qr_svg, totp_uri
from shared_apps.people.services import local_user_for_account
from tenants.roles import role_label

View = Callable[..., HttpResponse]

#: Sign-in on the shared space goes through the same backend as on every subsite.
BACKEND = settings.AUTHENTICATION_BACKENDS[0]
PENDING = "accounts.pending_sign_in"
PENDING_SECONDS = 600


# --- Helpers ------------------------------------------------------------------------------------------------


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _next(request: HttpRequest, value: str | None = None) -> str:
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


def _refused(request: HttpRequest, template: str, context: dict[str, Any], outcome: SignInOutcome) -> HttpResponse:
    """Re-show a sign-in step with the reason; 429 and ``Retry-After`` when it says until when."""
    status = 429 if outcome.retry_at is not None else 422
    response = render(request, template, context, status=status)
    if outcome.retry_at is not None:
        response["Retry-After"] = str(max(1, int((outcome.retry_at - timezone.now()).total_seconds())))
    return response


def _pending(request: HttpRequest) -> tuple[Account, dict[str, Any]] | None:
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


def _complete_sign_in(request: HttpRequest, account: Account, next_url: str) -> HttpResponse:
    """Sign in as the account's local user of the shared space (made on first sign-in)."""
    request.session.pop(PENDING, None)
    user = local_user_for_account(account=account)
    if not user.is_active:
        messages.error(request, _("This account cannot sign in to the shared space."))
        return redirect("accounts:login")
    login(request, user, backend=BACKEND)
    return redirect(next_url)


def _problem(request: HttpRequest, *, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "accounts/problem.html", {"title": title, "text": text}, status=status)


# --- Sign-in, second step, sign-out ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    if request.method == "GET":
        return render(request, "accounts/sign_in.html", {"form": SignInForm(), "next": next_url})
    form = SignInForm(request.POST)
    context = {"form": form, "next": next_url}
    if not form.is_valid():
        return render(request, "accounts/sign_in.html", context, status=422)
    outcome = services.account_password_check(
        email=form.cleaned_data["email"], password=form.cleaned_data["password"], ip=_ip(request)
    )
    if not outcome.ok or outcome.account is None:
        form.add_error(None, outcome.message)
        return _refused(request, "accounts/sign_in.html", context, outcome)
    if outcome.second_factor == SecondFactor.NONE:
        return _complete_sign_in(request, outcome.account, next_url)
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
    pending = _pending(request)
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
    outcome = services.account_second_factor_check(account=account, code=form.cleaned_data["code"], ip=_ip(request))
    if not outcome.ok:
        form.add_error("code" if outcome.status == services.SignIn.INVALID else None, _code_refusal(outcome))
        return _refused(request, "accounts/sign_in_two_factor.html", {"form": form}, outcome)
    return _complete_sign_in(request, account, _next(request, data.get("next", "")))


def _code_refusal(outcome: SignInOutcome) -> str:
    if outcome.status == services.SignIn.INVALID:
        return _("That code is not right. Type the six digits your app shows now.")
    return outcome.message


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/sign_out.html")
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- Sign-up and verification ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_sign_up(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password"],
                language=translation.get_language(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Welcome to GovSquare. We sent a link to %(email)s: follow it to verify your address.")
                % {"email": account.email},
            )
            return _complete_sign_in(request, account, reverse("accounts:profile"))
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/sign_up.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links change nothing); POST verifies."""
    if request.method == "GET":
        return render(request, "accounts/verify_email.html", {"token": token})
    try:
        row = services.account_email_verify(token=token)
    except ValidationError as exc:
        return render(request, "accounts/verify_email.html", {"token": token, "errors": exc.messages}, status=422)
    if row.is_primary:
        done = _("%(email)s is verified. It is now your primary address.") % {"email": row.email}
    else:
        done = _("%(email)s is verified.") % {"email": row.email}
    messages.success(request, done)
    if selectors.account_for_user(user=request.user) is not None:
        return redirect("accounts:emails")
    return redirect("accounts:login")


# --- Password reset -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_password_reset_request(email=form.cleaned_data["email"])
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
        services.account_password_reset_account(token=token)
    except ValidationError as exc:
        return _problem(request, title=_("Set a new password"), text=" ".join(exc.messages), status=400)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_password_reset_confirm(token=token, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your new password is set. Sign in with it."))
            return redirect("accounts:login")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=status)


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
        services.account_email_ensure_primary(account=account)
        return _emails_page(request)
    form = EmailAddForm(request.POST)
    if form.is_valid():
        try:
            row = services.account_email_add(
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
    "remove": (services.account_email_remove, gettext_lazy("The address is removed.")),
    "primary": (
        services.account_email_make_primary,
        gettext_lazy("That is now your primary address: you sign in with it."),
    ),
    "resend": (services.account_email_verification_resend, gettext_lazy("We sent a new verification link.")),
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
        secret = services.totp_setup_start(account=account)
        uri = totp_uri(secret=secret, email=account.email)
        context.update(secret=secret, uri=uri, qr_svg=totp_qr_svg(uri=uri))
    return render(request, "accounts/two_factor.html", context, status=status)


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up (and confirm) an authenticator: when signed in, or to finish a sign-in that requires it."""
    account = selectors.account_for_user(user=request.user)
    pending = None
    if account is None:
        pending = _pending(request)
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
            services.totp_setup_confirm(account=account, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Two-factor authentication is on. Signing in now asks for a code."))
            if pending is not None:
                services.account_sign_in_succeeded(account=account)
                return _complete_sign_in(request, account, _next(request, pending[1].get("next", "")))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, account, form=form, pending=pending is not None, status=422)


@require_POST
@account_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            services.totp_disable(account=account, code=form.cleaned_data["code"], ip=_ip(request))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, account, form=form, status=422)


# --- Profile ------------------------------------------------------------------------------------------------


def _profile_page(request: HttpRequest, account: Account, form: ProfileForm, status: int = 200) -> HttpResponse:
    context = {
        "account": account,
        "form": form,
        "is_civil_servant": selectors.account_is_civil_servant(account=account),
        "civil_servant_organisations": list(selectors.account_civil_servant_organisations(account=account)),
        "email_verified": selectors.account_email_is_verified(account=account),
        "two_factor": selectors.account_second_factor_enabled(account=account),
        "two_factor_required": selectors.account_second_factor_required(account=account),
    }
    return render(request, "accounts/profile.html", context, status=status)


@require_http_methods(["GET", "POST"])
@account_required
def profile(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    if request.method == "GET":
        return _profile_page(request, account, ProfileForm.for_account(account))
    form = ProfileForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.account_update_profile(
                account=account,
                display_name=data["display_name"],
                job_title=data["job_title"],
                bio=data["bio"],
                profile_public=data["profile_public"],
                language=data["language"],
                photo=data["photo"] or None,
                remove_photo=data["remove_photo"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            language_remember(request, account.language)  # the pages follow the language chosen here
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    account.refresh_from_db()
    return _profile_page(request, account, form, status=422)


# --- Invitation sign-up ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_sign_up(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_for_token(token=token)
    if invitation is None:
        return _problem(
            request,
            title=_("Invitation"),
            text=_("This invitation link is not valid, or the invitation was withdrawn or accepted already."),
            status=404,
        )
    organisation = invitation.organisation
    sign_in_there = host_url(organisation.primary_host(), "/accounts/login/")
    if invitation.expires_at is not None and invitation.expires_at <= timezone.now():
        return _problem(
            request,
            title=_("Invitation"),
            text=_("This invitation to %(organisation)s has expired. Ask its administrators for a new one.")
            % {"organisation": organisation.name},
            status=410,
        )
    if selectors.account_holding_address(email=invitation.email) is not None:
        return render(
            request,
            "accounts/invitation_existing.html",
            {"invitation": invitation, "sign_in_there": sign_in_there},
        )
    form = InvitationSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.invitation_sign_up(
                token=token,
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password"],
                language=translation.get_language(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Your account is ready. Sign in to %(organisation)s at %(url)s to start as %(role)s.")
                % {"organisation": organisation.name, "url": sign_in_there, "role": role_label(invitation.role)},
            )
            return _complete_sign_in(request, account, reverse("accounts:profile"))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "invitation": invitation, "sign_in_there": sign_in_there}
    return render(request, "accounts/invitation_sign_up.html", context, status=status)
