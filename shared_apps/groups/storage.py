"""Where the groups keep stored files: ``MEDIA_ROOT/public/…``, whichever schema the code runs in, behind no URL.

``public`` is the shared space's media folder (django-tenants names it after the public schema) and a
reserved organisation slug, so no organisation's media folder (``MEDIA_ROOT/<schema>/``, exported, imported
and removed with the organisation) can ever hold a group's picture or files. Django's default storage
would follow the *current* schema instead. Nothing here has a URL: every file leaves through a view that
asks ``shared_apps.groups.access`` first (a group's picture, a tab's downloads).
"""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property

from tenants.storage import WholeFilesMixin

#: The shared space's media folder, under ``MEDIA_ROOT``.
SHARED_SPACE_FOLDER = "public"


class SharedSpaceStorage(WholeFilesMixin, FileSystemStorage):
    """Files under ``MEDIA_ROOT/public/`` (follows ``MEDIA_ROOT`` when a test changes it); no URL; a write that
    fails half-way leaves nothing (``tenants.storage``)."""

    @cached_property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, SHARED_SPACE_FOLDER)

    def url(self, name: str | None) -> str:
        raise ValueError("The groups' files have no URL: a checked view serves each of them.")


_storage = SharedSpaceStorage()


def shared_space_storage() -> SharedSpaceStorage:
    """The storage of the groups' files (a callable: migrations keep the reference, not the folder)."""
    return _storage


def picture_name(instance: object, filename: str) -> str:
    """``groups/pictures/<32 random hex digits>.<extension>``: nothing a person types reaches the file system."""
    return f"groups/pictures/{secrets.token_hex(16)}{os.path.splitext(filename)[1].lower()[:10]}"
