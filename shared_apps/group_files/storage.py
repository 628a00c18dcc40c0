"""Where a group's files are kept: ``MEDIA_ROOT/public/groups/<group id>/<random name>``, behind no URL.

The folder is the shared space's own media folder (``public``, django-tenants' folder for the public
schema, where the groups' pictures are too): ``public`` is a reserved organisation slug, so no
organisation's media folder (``MEDIA_ROOT/<schema>/``) — which is exported, imported and removed with the
organisation — can ever hold the groups' files. The stored name is random (the name a person gave lives
in the database), so nothing a person types reaches the file system.

The storage has no URL: every file leaves through ``views.download``, which checks who asks first.
"""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property

if TYPE_CHECKING:
    from shared_apps.group_files.models import GroupFile

#: The shared space's media folder, under ``MEDIA_ROOT`` (django-tenants names it after the public schema).
SHARED_SPACE_FOLDER = "public"


class GroupFileStorage(FileSystemStorage):
    """The groups' files, under ``MEDIA_ROOT/public/`` (follows ``MEDIA_ROOT`` when a test changes it)."""

    @cached_property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, SHARED_SPACE_FOLDER)

    def url(self, name: str | None) -> str:
        raise ValueError("A group's files have no URL: they are served by the group's download view only.")


_storage = GroupFileStorage()


def group_file_storage() -> GroupFileStorage:
    """The storage of ``GroupFile.file`` (a callable: migrations keep the reference, not the folder)."""
    return _storage


def stored_name(instance: GroupFile, filename: str) -> str:
    """``groups/<group id>/<32 random hex digits>.<extension>``; the extension is one of the accepted kinds'."""
    extension = os.path.splitext(filename)[1].lower()
    return f"groups/{instance.group_id}/{secrets.token_hex(16)}{extension}"
