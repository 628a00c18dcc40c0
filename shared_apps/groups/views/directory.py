"""The groups directory (``/groups/``): the groups the viewer may see, "my groups" first; and "new group"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shared_apps.groups.forms import GroupCreateForm
from shared_apps.groups.selectors import directory_groups
from shared_apps.groups.services.groups import group_create, viewer_may_create_groups
from shared_apps.groups.views.common import messages_of, private, request_account, request_viewer

PAGE_SIZE = 24


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    viewer = request_viewer(request)
    query, tag = request.GET.get("q", "")[:100], request.GET.get("tag", "")[:40]
    page = Paginator(directory_groups(viewer=viewer, query=query, tag=tag), PAGE_SIZE).get_page(request.GET.get("page"))
    return private(
        render(
            request,
            "groups/directory.html",
            {
                "page": page,
                "query": query,
                "tag": tag,
                "viewer": viewer,
                "may_create": viewer_may_create_groups(viewer=viewer),
            },
        )
    )


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    account = request_account(request)
    if account is None:
        return redirect_to_login(request.get_full_path())
    if not viewer_may_create_groups(viewer=request_viewer(request)):
        raise PermissionDenied(_("Only civil servants can create groups on this platform."))
    form = GroupCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = group_create(creator=account, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            for message in messages_of(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("Your group is ready. Invite people, or add an introduction."))
            return redirect("groups:detail", slug=group.slug)
    status = 400 if request.method == "POST" else 200
    return private(render(request, "groups/create.html", {"form": form}, status=status))
