"""What every group page shares: the viewer, the group found for them (or a 404), the tabs, refusals."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers

from shared_apps.accounts.models import Account
from shared_apps.accounts.selectors import account_for_user
from shared_apps.groups import access, tabs
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import Group
from shared_apps.groups.selectors import GroupNotFound, group_for_viewer
from shared_apps.groups.services.memberships import membership_mark_visited
from tenants.errors import error_messages_by_field

View = Callable[..., HttpResponse]

#: The platform operators' list of every open report (a moderation form posted there goes back there).
OPERATOR_REPORTS_PATH = "/groups/reports/"


def request_account(request: HttpRequest) -> Account | None:
    return account_for_user(user=request.user) if request.user.is_authenticated else None


def request_viewer(request: HttpRequest) -> GroupViewer:
    return access.viewer_for_user(request.user)


def private(response: HttpResponse) -> HttpResponse:
    """Pages made for one viewer are never kept by a shared cache."""
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def group_page(
    *, tab: str | None = None, content: bool = True, manage: bool = False, sign_in: bool = False
) -> Callable[[View], View]:
    """Wrap a view of one group (``slug`` in the URL). The view gets ``request.group`` and ``request.viewer``.

    * the group must be one the viewer may see (else 404, as for a group that does not exist);
    * ``tab``: that tab must be on for the group (else 404);
    * ``content``: the viewer must be allowed to read the group's content (else: anonymous -> sign in,
      signed in -> the group's page, which says how to join);
    * ``manage``: the group's owners and administrators only (else 403);
    * ``sign_in``: a signed-in person (anonymous -> sign in).
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            viewer = request_viewer(request)
            group = group_for_viewer(viewer=viewer, slug=slug)
            if tab is not None and not tabs.tab_enabled(group=group, key=tab):
                raise GroupNotFound("This group has no such tab.")
            if (sign_in or manage) and not viewer.signed_in:
                return redirect_to_login(request.get_full_path())
            if content and not access.can_read_content(viewer=viewer, group=group):
                if not viewer.signed_in:
                    return redirect_to_login(request.get_full_path())
                return private(render(request, "groups/closed.html", group_context(request, group, viewer), status=403))
            if manage and not access.can_manage(viewer=viewer, group=group):
                raise PermissionDenied("Only the group's owners and administrators.")
            request.group, request.viewer = group, viewer  # type: ignore[attr-defined]
            if request.method == "GET" and viewer.is_member(group):
                membership_mark_visited(group=group, account_id=viewer.account_id)
            return private(view(request, *args, **kwargs))

        return guarded

    return decorate


def the_group(request: HttpRequest) -> Group:
    """The group a ``group_page`` view is about."""
    return request.group  # type: ignore[attr-defined]


def the_viewer(request: HttpRequest) -> GroupViewer:
    """Who is looking, as ``group_page`` worked it out."""
    return request.viewer  # type: ignore[attr-defined]


def group_context(request: HttpRequest, group: Group, viewer: GroupViewer, **extra: Any) -> dict[str, Any]:
    """What the group layout (``groups/_layout.html``) shows: the group, its tabs, what the viewer may do."""
    return {
        "group": group,
        "viewer": viewer,
        "tabs": tabs.tabs_of(group=group) if access.can_read_content(viewer=viewer, group=group) else [],
        "role": viewer.role_in(group),
        "may": {
            "read": access.can_read_content(viewer=viewer, group=group),
            "write": access.can_write(viewer=viewer, group=group),
            "join": access.can_join(viewer=viewer, group=group),
            "request": access.can_request_to_join(viewer=viewer, group=group),
            "accept": access.can_accept_invitation(viewer=viewer, group=group),
            "manage": access.can_manage(viewer=viewer, group=group),
            "moderate": access.can_moderate(viewer=viewer, group=group),
            "report": access.can_report(viewer=viewer, group=group),
        },
        **extra,
    }


def render_group(request: HttpRequest, template: str, status: int = 200, **extra: Any) -> HttpResponse:
    """Render a page of ``request.group`` (set by ``group_page``)."""
    context = group_context(request, the_group(request), the_viewer(request), **extra)
    return render(request, template, context, status=status)


def messages_of(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, PermissionDenied):
        return [str(error)] if str(error) else []
    return [message for messages_ in error_messages_by_field(error).values() for message in messages_]


def back_within_group(request: HttpRequest) -> str:
    """Where a form posted from one of the group's pages goes back to: its ``back`` field, if it is one of
    this group's pages, else the group's front page."""
    back = str(request.POST.get("back", ""))
    prefix = f"/groups/{the_group(request).slug}/"
    if back == OPERATOR_REPORTS_PATH:
        return back
    return back if back.startswith(prefix) and "//" not in back and "\\" not in back else prefix


def done_or_refused(request: HttpRequest, action: Callable[[], Any], *, success: str, back: str) -> HttpResponse:
    """Run a service; say ``success`` or why it was refused, then go ``back`` (a POST-redirect-GET)."""
    try:
        action()
    except (ValidationError, PermissionDenied) as error:
        for message in messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(back)
