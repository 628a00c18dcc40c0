"""``{% unread_notifications as n %}``: the signed-in viewer's unread notifications, for the header.

One count query (the centre's own trimmed list), remembered on the request; the viewer behind it is the
groups' (``viewer_for_user``, remembered on the user and shared with the rest of the page)."""

from __future__ import annotations

from typing import Any

from django import template

from shared_apps.groups.access import viewer_for_user
from shared_apps.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int | None:
    """The count, or ``None`` for an anonymous viewer (no link is shown then)."""
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if request is not None and hasattr(request, "_unread_notifications"):
        return request._unread_notifications
    viewer = viewer_for_user(user)
    count = unread_count(viewer=viewer) if viewer.signed_in else None
    if request is not None:
        request._unread_notifications = count
    return count
