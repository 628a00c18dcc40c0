"""What follows an item of any tab when it goes, removed by a moderator, deleted by its author, or deleted
with what it was in (a discussion's replies, a folder's files, a wiki page's subpages, a whole group):
its lines leave the activity stream and its open reports are closed. Connected for every concrete
``GroupContent`` model in ``GroupsConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete

from shared_apps.groups.models import group_content_models
from shared_apps.groups.services.activity import activity_forget
from shared_apps.groups.services.moderation import reports_close_for_removed


def item_gone(sender: type, instance: Any, **kwargs: Any) -> None:
    activity_forget(target=instance)
    reports_close_for_removed(item=instance)


def connect() -> None:
    for model in group_content_models():
        post_delete.connect(item_gone, sender=model, dispatch_uid=f"groups.item_gone.{model._meta.label_lower}")
