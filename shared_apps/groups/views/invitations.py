"""Following an invitation link (``/groups/invitations/<token>/``): join when signed in; else sign in, or
create an account with the invited address (the link proves it) and land in the group."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shared_apps.accounts.views.common import BACKEND
from shared_apps.groups.forms import InvitationSignUpForm
from shared_apps.groups.services.invitations import (
    group_invitation_accept,
    group_invitation_for_token,
    group_invitation_sign_up,
)
from shared_apps.groups.views.common import messages_of, private, request_account
from shared_apps.people.services import local_user_for_account


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = group_invitation_for_token(token=token)
    if found is None:
        return private(render(request, "groups/invitation_gone.html", status=404))
    account = request_account(request)
    form = InvitationSignUpForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if account is not None:
                group_invitation_accept(token=token, account=account)
            elif form.is_valid():
                account, _membership = group_invitation_sign_up(token=token, **form.cleaned_data)
                login(request, local_user_for_account(account=account), backend=BACKEND)
            else:
                raise ValidationError(_("Fill in your name and a password."))
        except (ValidationError, PermissionDenied) as error:
            errors = messages_of(error)
        else:
            messages.success(request, _("Welcome to %(group)s.") % {"group": found.group.name})
            return redirect("groups:detail", slug=found.group.slug)
    status = 400 if errors else 200
    return private(
        render(
            request,
            "groups/invitation.html",
            {"invitation": found, "group": found.group, "account": account, "form": form, "errors": errors},
            status=status,
        )
    )
