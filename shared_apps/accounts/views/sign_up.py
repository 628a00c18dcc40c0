"""Sign-up, e-mail verification and sign-up through an invitation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shared_apps.accounts import selectors
from shared_apps.accounts.forms import (
    InvitationSignUpForm,
    SignUpForm,
)
from shared_apps.accounts.mail import host_url
from shared_apps.accounts.services import invitations
from shared_apps.accounts.services.accounts import account_sign_up
from shared_apps.accounts.services.addresses import (
    account_email_verify,
    address_holder,
)
from shared_apps.accounts.views.common import complete_sign_in, problem_page
from tenants.roles import role_label

# --- Sign-up and verification ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = account_sign_up(
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
            return complete_sign_in(request, account, reverse("accounts:profile"))
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/sign_up.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links change nothing); POST verifies."""
    if request.method == "GET":
        return render(request, "accounts/verify_email.html", {"token": token})
    try:
        row = account_email_verify(token=token)
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


# --- Invitation sign-up ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_sign_up(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_for_token(token=token)
    if invitation is None:
        return problem_page(
            request,
            title=_("Invitation"),
            text=_("This invitation link is not valid, or the invitation was withdrawn or accepted already."),
            status=404,
        )
    organisation = invitation.organisation
    sign_in_there = host_url(organisation.primary_host(), "/accounts/login/")
    if invitation.expires_at is not None and invitation.expires_at <= timezone.now():
        return problem_page(
            request,
            title=_("Invitation"),
            text=_("This invitation to %(organisation)s has expired. Ask its administrators for a new one.")
            % {"organisation": organisation.name},
            status=410,
        )
    if address_holder(email=invitation.email) is not None:
        return render(
            request,
            "accounts/invitation_existing.html",
            {"invitation": invitation, "sign_in_there": sign_in_there},
        )
    form = InvitationSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = invitations.invitation_sign_up(
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
            return complete_sign_in(request, account, reverse("accounts:profile"))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "invitation": invitation, "sign_in_there": sign_in_there}
    return render(request, "accounts/invitation_sign_up.html", context, status=status)
