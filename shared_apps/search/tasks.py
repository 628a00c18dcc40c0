"""Background work on the platform search index (public side). Thin: each task calls a service.

The organisation side's tasks (a page, its subtree, a document) are in ``tenant_apps.pages.tasks``.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from shared_apps.search import services
from tenants.models import Organisation


@shared_task(name="search.organisation_reindex")
def organisation_reindex(*, organisation_id: int) -> dict[str, Any]:
    """Rebuild one organisation's entries (after its default visibility changed, or on demand)."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return {"organisation": organisation_id, "entries": 0, "gone": True}
    return {"organisation": organisation_id, "entries": services.organisation_reindex(organisation=organisation)}


@shared_task(name="search.group_reindex")
def group_reindex(*, group_id: int) -> dict[str, Any]:
    """Rebuild one group's entries (the group changed, or one of its items did)."""
    return {"group": group_id, "entries": services.group_reindex(group_id=group_id)}
