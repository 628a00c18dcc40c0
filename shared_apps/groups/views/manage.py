"""Managing a group (its owners and administrators): settings, members and roles, invitations, requests,
reports; operators archive and delete groups. Every change goes through ``shared_apps.groups.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shared_apps.groups.forms import GroupSettingsForm, InviteForm, RoleForm
from shared_apps.groups.models import GroupContent
from shared_apps.groups.selectors import (
    invitations_open,
    join_requests_pending,
    members_of,
    reports_open,
    reports_open_everywhere,
)
from shared_apps.groups.services import groups as group_services
from shared_apps.groups.services import invitations, join_requests, memberships, moderation
from shared_apps.groups.views.common import (
    back_within_group,
    done_or_refused,
    group_page,
    messages_of,
    private,
    render_group,
    request_account,
    the_group,
)


def _back(group) -> str:  # type: ignore[no-untyped-def]
    return f"/groups/{group.slug}/manage/"


@require_http_methods(["GET", "POST"])
@group_page(manage=True)
def settings_page(request: HttpRequest) -> HttpResponse:
    group = the_group(request)
    initial = {
        "name": group.name,
        "purpose": group.purpose,
        "introduction": group.introduction,
        "welcome_message": group.welcome_message,
        "tags": ", ".join(group.tags),
        "visibility": group.visibility,
        "audience": group.audience,
        "joining": group.joining,
        "disabled_tabs": group.disabled_tabs,
    }
    form = GroupSettingsForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group_services.group_update(
                group=group,
                actor=request_account(request),
                name=data["name"],
                purpose=data["purpose"],
                introduction=data["introduction"],
                welcome_message=data["welcome_message"],
                tags=data["tags"],
                visibility=data["visibility"],
                audience=data["audience"],
                joining=data["joining"],
                disabled_tabs=data["disabled_tabs"],
                picture=data.get("picture") or None,
                remove_picture=data["remove_picture"],
            )
        except (ValidationError, PermissionDenied) as error:
            for message in messages_of(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("The group's settings are saved."))
            return redirect(_back(group))
    status = 400 if request.method == "POST" else 200
    return render_group(
        request,
        "groups/manage.html",
        status=status,
        form=form,
        invite_form=InviteForm(),
        role_form=RoleForm(),
        members=members_of(group=group),
        invitations=invitations_open(group=group),
        requests=join_requests_pending(group=group),
        reports=reports_open(group=group),
    )


def _member_action(request: HttpRequest, action, success: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    return done_or_refused(request, action, success=success, back=_back(the_group(request)))


@require_POST
@group_page(manage=True)
def invite(request: HttpRequest) -> HttpResponse:
    email = request.POST.get("email", "")
    return _member_action(
        request,
        lambda: invitations.group_invite(group=the_group(request), actor=request_account(request), email=email),
        _("The invitation is on its way to %(email)s.") % {"email": email.strip()},
    )


@require_POST
@group_page(manage=True)
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return _member_action(
        request,
        lambda: invitations.group_invitation_resend(
            group=the_group(request),
            actor=request_account(request),
            invitation_id=invitation_id,
        ),
        _("The invitation has been sent again."),
    )


@require_POST
@group_page(manage=True)
def invitation_withdraw(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return _member_action(
        request,
        lambda: invitations.group_invitation_withdraw(
            group=the_group(request),
            actor=request_account(request),
            invitation_id=invitation_id,
        ),
        _("The invitation has been withdrawn."),
    )


@require_POST
@group_page(manage=True)
def request_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _member_action(
        request,
        lambda: join_requests.group_join_request_approve(
            group=the_group(request),
            actor=request_account(request),
            request_id=request_id,
        ),
        _("Approved: they are a member now, and have been told."),
    )


@require_POST
@group_page(manage=True)
def request_refuse(request: HttpRequest, request_id: int) -> HttpResponse:
    return _member_action(
        request,
        lambda: join_requests.group_join_request_refuse(
            group=the_group(request),
            actor=request_account(request),
            request_id=request_id,
        ),
        _("Refused: they have been told."),
    )


@require_POST
@group_page(manage=True)
def member_role(request: HttpRequest, account_id: str) -> HttpResponse:
    return _member_action(
        request,
        lambda: memberships.member_set_role(
            group=the_group(request),
            actor=request_account(request),
            account_id=account_id,
            role=request.POST.get("role", ""),
        ),
        _("The role has been changed."),
    )


@require_POST
@group_page(manage=True)
def member_remove(request: HttpRequest, account_id: str) -> HttpResponse:
    group, actor = the_group(request), request_account(request)
    return _member_action(
        request,
        lambda: memberships.member_remove(group=group, actor=actor, account_id=account_id),
        _("The member has been removed."),
    )


@require_POST
@group_page(manage=True)
def ownership_transfer(request: HttpRequest, account_id: str) -> HttpResponse:
    return _member_action(
        request,
        lambda: memberships.ownership_transfer(
            group=the_group(request), actor=request_account(request), account_id=account_id
        ),
        _("The group has a new owner; you stay on as an administrator."),
    )


# --- Moderation (owners, administrators and operators) ---------------------------------------------------


def _item(request: HttpRequest, content_type_id: int, object_id: int) -> GroupContent:
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type is not None else None
    if model is None or not issubclass(model, GroupContent):
        raise Http404("No such item.")
    item = model.objects.filter(pk=object_id, group=the_group(request)).first()
    if item is None:
        raise Http404("No such item.")
    return item


@require_POST
@group_page()
def item_hide(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    group, actor = the_group(request), request_account(request)
    item = _item(request, content_type_id, object_id)
    hidden = request.POST.get("hidden", "1") != "0"
    return done_or_refused(
        request,
        lambda: moderation.item_hide(group=group, actor=actor, item=item, hidden=hidden),
        success=_("The item is hidden.") if hidden else _("The item is shown again."),
        back=back_within_group(request),
    )


@require_POST
@group_page()
def item_remove(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    item = _item(request, content_type_id, object_id)
    return done_or_refused(
        request,
        lambda: moderation.item_remove(group=the_group(request), actor=request_account(request), item=item),
        success=_("The item has been removed."),
        back=back_within_group(request),
    )


@require_GET
def operator_reports(request: HttpRequest) -> HttpResponse:
    """Platform operators: every open report, in every group, with what they can do about it."""
    account = request_account(request)
    if account is None:
        return redirect_to_login(request.get_full_path())
    if not account.is_platform_operator:
        raise PermissionDenied(_("Only platform operators see the reports of every group."))
    page = Paginator(reports_open_everywhere(), 50).get_page(request.GET.get("page"))
    return private(render(request, "groups/operator_reports.html", {"page": page}))


@require_POST
@group_page(content=False, sign_in=True)
def report_dismiss(request: HttpRequest, report_id: int) -> HttpResponse:
    group, actor = the_group(request), request_account(request)
    return done_or_refused(
        request,
        lambda: moderation.report_dismiss(group=group, actor=actor, report_id=report_id),
        success=_("The report has been dismissed."),
        back=back_within_group(request),
    )


@require_POST
@group_page(content=False, sign_in=True)
def archive(request: HttpRequest) -> HttpResponse:
    """Operators: archive the group (read-only) or make it active again."""
    group = the_group(request)
    archived = request.POST.get("archived", "1") != "0"
    return done_or_refused(
        request,
        lambda: group_services.group_archive(group=group, operator=request_account(request), archived=archived),
        success=_("The group is archived: read-only.") if archived else _("The group is active again."),
        back=f"/groups/{group.slug}/",
    )


@require_POST
@group_page(content=False, sign_in=True)
def delete(request: HttpRequest) -> HttpResponse:
    """Operators: delete the group and everything in it (the group's address typed to confirm)."""
    group = the_group(request)
    try:
        group_services.group_delete(
            group=group, operator=request_account(request), confirmation=request.POST.get("confirmation", "")
        )
    except (ValidationError, PermissionDenied) as error:
        for message in messages_of(error):
            messages.error(request, message)
        return redirect("groups:detail", slug=group.slug)
    messages.success(request, _("The group %(group)s has been deleted.") % {"group": group.name})
    return redirect("groups:directory")
