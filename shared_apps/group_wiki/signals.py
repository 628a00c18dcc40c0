"""A wiki page that goes takes its activity lines with it, however it goes: deleted by its author, removed
by a moderator (``groups.services.moderation.item_remove``), or along with the page above it (a cascade)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete

from shared_apps.group_wiki.models import WikiPage
from shared_apps.groups.services.activity import activity_forget


def _forget_activity(sender: type[WikiPage], instance: WikiPage, **kwargs: Any) -> None:
    activity_forget(target=instance)


def connect() -> None:
    post_delete.connect(_forget_activity, sender=WikiPage, dispatch_uid="group_wiki.forget_activity")
