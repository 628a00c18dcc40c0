"""Keeps the groups' entries in step: any save or delete of a group, of an item in it (every tab's
models, ``group_content_models()``) or of what an entry is made of (a wiki revision) re-indexes that group
after commit. A change of membership needs none: the query trims by the group's current state."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from shared_apps.groups.models import Group, GroupContent, group_content_models
from shared_apps.search.group_index import DEPENDENT_MODELS
from shared_apps.search.services import group_reindex_later


def _group_changed(sender: type, instance: Group, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # a deleted group's entries go with it (CASCADE): only saves are followed
    group_reindex_later(group_id=instance.pk)


def _item_changed(sender: type, instance: GroupContent, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    group_reindex_later(group_id=instance.group_id)


def _dependent_changed(sender: type, instance: object, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    group_reindex_later(group_id=DEPENDENT_MODELS[sender](instance))


def connect() -> None:
    """Called once from ``SearchConfig.ready()``."""
    post_save.connect(_group_changed, sender=Group, dispatch_uid="search.group_saved")
    for model in group_content_models():
        for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(_item_changed, sender=model, dispatch_uid=f"search.{model._meta.label_lower}.{name}")
    for model in DEPENDENT_MODELS:
        for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(_dependent_changed, sender=model, dispatch_uid=f"search.{model._meta.label_lower}.{name}")
