"""The subsite's people directory (members only) and "request to join" (signed-in non-members)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from shared_apps.accounts.models import Account
from tenant_apps.members import memberships
from tenant_apps.members.admin_views import organisation_of
from tenant_apps.members.forms import JoinRequestForm
from tenant_apps.members.selectors import (
    invitation_open_for,
    is_member,
    join_request_pending_for,
    organisation_directory,
)
from tenants.nul_bytes import refuse_nul_bytes


def private_when_signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An answer made for a signed-in person is theirs alone: ``Cache-Control: private``, ``Vary: Cookie``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["Cookie"])
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response

    return wrapped


def _account_of(request: HttpRequest) -> Account | None:
    account_id = getattr(request.user, "account_id", None)
    return Account.objects.filter(pk=account_id, is_active=True).first() if account_id else None


def _join_context(request: HttpRequest, organisation, account: Account, form: JoinRequestForm | None = None) -> dict:  # type: ignore[no-untyped-def]
    return {
        "organisation": organisation,
        "form": form or JoinRequestForm(),
        "pending": join_request_pending_for(organisation=organisation, account=account),
        "invitation": invitation_open_for(organisation=organisation, account=account),
    }


@require_http_methods(["GET", "HEAD"])
@refuse_nul_bytes
@private_when_signed_in
def people(request: HttpRequest) -> HttpResponse:
    organisation = organisation_of(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        profiles = organisation_directory(organisation=organisation, viewer=request.user)
    except PermissionDenied:
        account = _account_of(request)
        context = (
            _join_context(request, organisation, account) if account is not None else {"organisation": organisation}
        )
        return render(request, "members/not_member.html", context, status=403)
    return render(request, "members/people.html", {"organisation": organisation, "profiles": profiles})


@require_http_methods(["GET", "HEAD", "POST"])
@refuse_nul_bytes
@private_when_signed_in
def join(request: HttpRequest) -> HttpResponse:
    organisation = organisation_of(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    account = _account_of(request)
    if account is None:
        return render(request, "members/not_member.html", {"organisation": organisation}, status=403)
    if is_member(user=request.user):
        return render(request, "members/join.html", {"organisation": organisation, "already_member": True})
    form = JoinRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                memberships.join_request_create(
                    organisation=organisation, account=account, message=form.cleaned_data["message"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("members_join")
        status = 400
    return render(request, "members/join.html", _join_context(request, organisation, account, form), status=status)


@require_POST
@refuse_nul_bytes
@private_when_signed_in
def accept_invitation(request: HttpRequest) -> HttpResponse:
    organisation = organisation_of(request)
    if not request.user.is_authenticated:
        return redirect_to_login("/join/")
    account = _account_of(request)
    if account is None:
        return render(request, "members/not_member.html", {"organisation": organisation}, status=403)
    try:
        memberships.invitation_accept(organisation=organisation, account=account)
    except ValidationError as error:
        context = {**_join_context(request, organisation, account), "errors": error.messages}
        return render(request, "members/join.html", context, status=400)
    return redirect("members_people")
