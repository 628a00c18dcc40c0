"""The suggestions of the @mention widget (``static/groups/mentions.js``): people a member may mention."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shared_apps.groups import access
from shared_apps.groups.mentions import mention_suggestions
from shared_apps.groups.selectors import group_for_viewer
from shared_apps.groups.views.common import private, request_account, request_viewer


@require_GET
def suggestions(request: HttpRequest, slug: str) -> HttpResponse:
    """``?q=an``: ``[{"id", "name", "detail"}, …]`` for a member who may write in the group; 403 for anyone
    else (404 where they may not know the group exists). Not a ``group_page``: asking for suggestions is no
    visit to the group."""
    viewer = request_viewer(request)
    group = group_for_viewer(viewer=viewer, slug=slug)
    author = request_account(request)
    if author is None or not access.can_write(viewer=viewer, group=group):
        return private(JsonResponse({"error": _("Only the group's members mention people in it.")}, status=403))
    found = mention_suggestions(group=group, author=author, query=str(request.GET.get("q", "")))
    return private(JsonResponse(found, safe=False))
