"""Where a group's files are kept: ``MEDIA_ROOT/public/groups/<group id>/<random name>``, behind no URL
(the groups' storage, ``shared_apps.groups.storage``, explains why there).

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

from shared_apps.groups.storage import SharedSpaceStorage, shared_space_storage

if TYPE_CHECKING:
    from shared_apps.group_files.models import GroupFile


def group_file_storage() -> SharedSpaceStorage:
    """The storage of ``GroupFile.file``: the groups' own (``shared_apps.groups.storage``)."""
    return shared_space_storage()


def stored_name(instance: GroupFile, filename: str) -> str:
    """``groups/<group id>/<32 random hex digits>.<extension>``; the extension is one of the accepted kinds'."""
    extension = os.path.splitext(filename)[1].lower()
    return f"groups/{instance.group_id}/{secrets.token_hex(16)}{extension}"
