"""The people directory's block for the intranet home: "New colleagues"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tenant_apps.pages.visibility import viewer_for_user
from tenant_apps.people_directory.models import PeopleDirectoryPage
from tenant_apps.people_directory.selectors import NEW_COLLEAGUES_MAX, new_colleagues


def new_colleagues_context(*, request: HttpRequest | None, page: Any, value: dict[str, Any]) -> dict[str, Any]:
    """Members who joined in the last 30 days (at most 5). Like the directory, for members only: anyone else
    gets an empty block (which the home leaves out). At most four queries, whatever the number of people."""
    user = getattr(request, "user", None)
    if request is None or not viewer_for_user(user).member:
        return {"for_members": False}
    try:
        count = int(value.get("count", NEW_COLLEAGUES_MAX))
    except (TypeError, ValueError):
        count = NEW_COLLEAGUES_MAX
    directory = PeopleDirectoryPage.objects.live().order_by("path").first()
    return {
        "for_members": True,
        "colleagues": new_colleagues(limit=max(1, min(count, NEW_COLLEAGUES_MAX))),
        "directory_url": directory.get_url(request) if directory is not None else "",
    }
