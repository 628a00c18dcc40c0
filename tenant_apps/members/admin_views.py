"""The "Members" screens of an organisation's Wagtail admin: for its administrators only.

Thin: reads through ``shared_apps.people.selectors``, writes through ``tenant_apps.members.memberships``
(which audit every change in the organisation's trail). Every change is a POST with CSRF; the outcome
or the reason of a refusal is shown as a message on the members page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenant_apps.members import memberships
from tenant_apps.members.forms import ROLE_CHOICES, InviteForm, RoleForm
from tenant_apps.members.selectors import (
    administrators_count,
    invitations_open,
    is_administrator,
    join_requests_pending,
    members_list,
)
from tenants.errors import error_for_people
from tenants.models import Organisation
from tenants.roles import role_label

View = Callable[..., HttpResponse]


def organisation_of(request: HttpRequest) -> Organisation:
    tenant = getattr(request, "tenant", None)
    if not isinstance(tenant, Organisation):
        raise Http404("Members exist only on an organisation's subsite.")
    return tenant


def administrator_required(view: View) -> View:
    """Administrators of this organisation only (Wagtail's admin access is checked before this)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        organisation = organisation_of(request)
        if not is_administrator(user=request.user):
            raise PermissionDenied("Only the organisation's administrators manage its members.")
        return view(request, organisation, *args, **kwargs)

    return guarded


def _index(request: HttpRequest, organisation: Organisation, *, invite_form: InviteForm | None = None) -> HttpResponse:
    context = {
        "organisation": organisation,
        "members": members_list(),
        "administrators": administrators_count(),
        "join_requests": list(join_requests_pending(organisation=organisation)),
        "invitations": list(invitations_open(organisation=organisation)),
        "invite_form": invite_form or InviteForm(),
        "role_choices": ROLE_CHOICES,
    }
    return TemplateResponse(
        request, "members/admin/index.html", context, status=400 if invite_form is not None else 200
    )


@require_GET
@administrator_required
def index(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return _index(request, organisation)


def _run(request: HttpRequest, done: str, action: Callable[[], Any]) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, error_for_people(error, fields=False))
    else:
        messages.success(request, done)
    return redirect("members_index")


@require_POST
@administrator_required
def change_role(request: HttpRequest, organisation: Organisation, user_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role: member, editor or administrator."))
        return redirect("members_index")
    role = form.cleaned_data["role"]
    return _run(
        request,
        _("The role is now %(role)s.") % {"role": role_label(role)},
        lambda: memberships.membership_change_role(
            organisation=organisation, user_id=user_id, role=role, actor=memberships.actor_for_user(user=request.user)
        ),
    )


@require_POST
@administrator_required
def remove(request: HttpRequest, organisation: Organisation, user_id: int) -> HttpResponse:
    return _run(
        request,
        _("The member was removed from %(organisation)s.") % {"organisation": organisation.name},
        lambda: memberships.membership_remove(
            organisation=organisation, user_id=user_id, actor=memberships.actor_for_user(user=request.user)
        ),
    )


@require_POST
@administrator_required
def approve(request: HttpRequest, organisation: Organisation, request_id: int) -> HttpResponse:
    return _run(
        request,
        _("The request was approved; the person is now a member."),
        lambda: memberships.join_request_approve(
            organisation=organisation, join_request_id=request_id, actor=memberships.actor_for_user(user=request.user)
        ),
    )


@require_POST
@administrator_required
def refuse(request: HttpRequest, organisation: Organisation, request_id: int) -> HttpResponse:
    return _run(
        request,
        _("The request was refused."),
        lambda: memberships.join_request_refuse(
            organisation=organisation, join_request_id=request_id, actor=memberships.actor_for_user(user=request.user)
        ),
    )


@require_POST
@administrator_required
def invite(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _index(request, organisation, invite_form=form)
    try:
        invitation = memberships.membership_invite(
            organisation=organisation,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=memberships.actor_for_user(user=request.user),
        )
    except ValidationError as error:
        form.add_error(None, error_for_people(error, fields=False))
        return _index(request, organisation, invite_form=form)
    messages.success(
        request,
        _("%(email)s was invited as %(role)s.") % {"email": invitation.email, "role": role_label(invitation.role)},
    )
    return redirect("members_index")


@require_POST
@administrator_required
def resend(request: HttpRequest, organisation: Organisation, invitation_id: int) -> HttpResponse:
    return _run(
        request,
        _("The invitation was sent again."),
        lambda: memberships.invitation_resend(
            organisation=organisation, invitation_id=invitation_id, actor=memberships.actor_for_user(user=request.user)
        ),
    )


@require_POST
@administrator_required
def revoke(request: HttpRequest, organisation: Organisation, invitation_id: int) -> HttpResponse:
    return _run(
        request,
        _("The invitation was withdrawn."),
        lambda: memberships.invitation_revoke(
            organisation=organisation, invitation_id=invitation_id, actor=memberships.actor_for_user(user=request.user)
        ),
    )


def wagtail_accounts_closed(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Wagtail's own Users and Groups screens (``/admin/users/…``, ``/admin/groups/…``), closed on every subsite.

    Memberships and roles change only through the audited Members screens (``tenant_apps.members``),
    which keep the last-administrator rule and create no local user without an account. A GET is sent
    there; anything else (a form posting ``is_superuser``, a new local user, a group) is refused.
    """
    if request.method in ("GET", "HEAD"):
        return redirect("members_index")
    raise PermissionDenied(_("Members and roles are managed on the Members screen."))
