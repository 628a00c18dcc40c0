"""A person's share of the groups in their data export: memberships, requests, invitations to their
addresses, and everything they wrote or uploaded in any group (every content app's items, found by their
common base ``GroupContent``, with stored files copied into the archive).

Erasure needs nothing here: deleting the account removes its memberships, requests and reports (their
foreign keys cascade), and its contributions stay with "Former user" as their author (``SET_NULL``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from shared_apps.accounts.models import Account
from shared_apps.accounts.personal_data.archive import PersonalArchive, row_data, safe_name
from shared_apps.groups.models import GroupInvitation, GroupJoinRequest, GroupMembership, group_content_models


def export_groups(*, account: Account, archive: PersonalArchive) -> dict[str, int]:
    """Write ``groups.json`` (and ``groups/files/…``); counts of what it holds."""
    addresses = Q()
    for address in [account.email, *account.emails.values_list("email", flat=True)]:
        addresses |= Q(email__iexact=address)
    data: dict[str, Any] = {
        "memberships": [
            {"group": m.group.name, "slug": m.group.slug, "role": m.role, "joined_at": m.joined_at}
            for m in GroupMembership.objects.filter(account=account).select_related("group")
        ],
        "join_requests": [
            {"group": r.group.name, **row_data(r, exclude=("account", "group", "decided_by"))}
            for r in GroupJoinRequest.objects.filter(account=account).select_related("group")
        ],
        "invitations": [
            {"group": i.group.name, "email": i.email, "created_at": i.created_at, "accepted_at": i.accepted_at}
            for i in GroupInvitation.objects.filter(addresses).select_related("group")
        ],
        "contributions": {},
    }
    counts = {"memberships": len(data["memberships"]), "contributions": 0}
    for model in group_content_models():
        items = []
        for item in model.objects.filter(author=account).select_related("group").order_by("pk"):
            row = {"group": item.group.name, **row_data(item, exclude=("author", "hidden_by"))}
            for field in model._meta.concrete_fields:
                if isinstance(field, models.FileField) and getattr(item, field.name):
                    stored = getattr(item, field.name)
                    row[f"{field.name}_in_archive"] = archive.file(
                        f"groups/files/{model._meta.label_lower}-{item.pk}-{safe_name(stored.name)}", stored
                    )
            items.append(row)
        if items:
            data["contributions"][model._meta.label_lower] = items
            counts["contributions"] += len(items)
    archive.json("groups.json", data)
    return counts
