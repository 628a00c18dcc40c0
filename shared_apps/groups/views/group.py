"""A group's own pages: about (introduction, how to join), members, activity; joining, leaving, asking, reporting."""

from __future__ import annotations

import mimetypes

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shared_apps.groups.forms import JoinRequestForm, ReportForm
from shared_apps.groups.models import GroupContent, GroupMembership
from shared_apps.groups.selectors import activity_of, join_request_pending_for, member_count, members_of
from shared_apps.groups.services.join_requests import group_join_request_create
from shared_apps.groups.services.memberships import group_join, group_leave
from shared_apps.groups.services.moderation import report_create
from shared_apps.groups.views.common import (
    done_or_refused,
    group_page,
    render_group,
    request_account,
    the_group,
    the_viewer,
)

ACTIVITY_PAGE_SIZE = 25
MEMBERS_PAGE_SIZE = 50


@require_GET
@group_page(content=False)
def detail(request: HttpRequest) -> HttpResponse:
    """The group's front page: what it is for, its introduction, and what the viewer can do."""
    group, viewer = the_group(request), the_viewer(request)
    pending = join_request_pending_for(group=group, account_id=viewer.account_id) if viewer.signed_in else None
    return render_group(
        request,
        "groups/detail.html",
        member_count=member_count(group=group),
        pending_request=pending,
        join_form=JoinRequestForm(),
    )


@require_GET
@group_page(content=False)
def picture(request: HttpRequest) -> HttpResponse:
    """The group's picture, for whoever may see the group (never a direct media address)."""
    group = the_group(request)
    if not group.picture:
        raise Http404("This group has no picture.")
    try:
        handle = group.picture.open("rb")
    except OSError as exc:
        raise Http404("This group has no picture.") from exc
    response = FileResponse(handle, content_type=mimetypes.guess_type(group.picture.name)[0] or "image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@group_page()
def members(request: HttpRequest) -> HttpResponse:
    page = Paginator(members_of(group=the_group(request)), MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_group(request, "groups/members.html", page=page)


@require_GET
@group_page()
def activity(request: HttpRequest) -> HttpResponse:
    lines = activity_of(group=the_group(request), viewer=the_viewer(request))
    page = Paginator(lines, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_group(request, "groups/activity.html", page=page)


@require_POST
@group_page(content=False, sign_in=True)
def join(request: HttpRequest) -> HttpResponse:
    group = the_group(request)
    return done_or_refused(
        request,
        lambda: group_join(group=group, account=request_account(request)),
        success=_("Welcome to %(group)s.") % {"group": group.name},
        back=f"/groups/{group.slug}/",
    )


@require_POST
@group_page(content=False, sign_in=True)
def leave(request: HttpRequest) -> HttpResponse:
    group = the_group(request)
    response = done_or_refused(
        request,
        lambda: group_leave(group=group, account=request_account(request)),
        success=_("You have left %(group)s.") % {"group": group.name},
        back=f"/groups/{group.slug}/",
    )
    still_member = GroupMembership.objects.filter(group=group, account_id=the_viewer(request).account_id).exists()
    if group.visibility == group.Visibility.HIDDEN and not still_member:
        return redirect("groups:directory")  # a hidden group is gone from view for someone who left it
    return response


@require_POST
@group_page(content=False, sign_in=True)
def request_to_join(request: HttpRequest) -> HttpResponse:
    group = the_group(request)
    form = JoinRequestForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    return done_or_refused(
        request,
        lambda: group_join_request_create(group=group, account=request_account(request), message=message),
        success=_("Your request has been sent to the group's administrators."),
        back=f"/groups/{group.slug}/",
    )


@require_POST
@group_page()
def report(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    """Report an item of any tab: the item is found by its type and id, and must be this group's."""
    group = the_group(request)
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type is not None else None
    if model is None or not issubclass(model, GroupContent):
        raise Http404("No such item.")
    item = model.objects.filter(pk=object_id, group=group).first()
    if item is None:
        raise Http404("No such item.")
    form = ReportForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return done_or_refused(
        request,
        lambda: report_create(group=group, reporter=request_account(request), item=item, reason=reason),
        success=_("Thank you: the group's administrators will look at it."),
        back=request.POST.get("back")
        if str(request.POST.get("back", "")).startswith(f"/groups/{group.slug}/")
        else f"/groups/{group.slug}/",
    )
