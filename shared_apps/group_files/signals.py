"""A deleted file leaves the storage — once the deletion is committed (a rolled-back deletion keeps it).

Whichever way the row goes: deleted by its uploader, removed by a moderator, with its folder, or with
its whole group (the deletion cascades, and Django sends ``post_delete`` for every row it collects).
Connected in ``GroupFilesConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete

from shared_apps.group_files.models import GroupFile


def _remove_stored_file(sender: type[GroupFile], instance: GroupFile, using: str, **kwargs: Any) -> None:
    name = instance.file.name
    if not name:
        return
    storage = instance.file.storage
    transaction.on_commit(lambda: storage.delete(name), using=using)


def connect() -> None:
    post_delete.connect(_remove_stored_file, sender=GroupFile, dispatch_uid="group_files.remove_stored_file")
