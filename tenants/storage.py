"""Stored files are whole or not there: a write that fails half-way (the disk full, a quota reached) removes
what it wrote and says so in words, instead of leaving a partial file and a server error behind.

``WholeFilesMixin`` goes in front of a ``FileSystemStorage``; ``TenantStorage`` is the platform's default
storage (an organisation's files under ``MEDIA_ROOT/<schema>/``, django-tenants' storage).
"""

from __future__ import annotations

import errno
import os
from typing import Any

from django.utils.translation import gettext_lazy
from django_tenants.files.storage import TenantFileSystemStorage

#: The errors that mean "no room": the disk is full, or the quota is used up.
NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class StorageFull(OSError):
    """No room to store a file: nothing of it was kept. ``str()`` is a message for people."""

    message = gettext_lazy("There is no room to store this file at the moment. Nothing was stored; try again later.")

    def __str__(self) -> str:
        return str(self.message)


def is_no_room(error: BaseException) -> bool:
    return isinstance(error, StorageFull) or (isinstance(error, OSError) and error.errno in NO_ROOM)


class WholeFilesMixin:
    """For ``FileSystemStorage`` subclasses: a failed write leaves no file behind."""

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)  # type: ignore[attr-defined]
        existed = os.path.exists(full_path)
        try:
            return super()._save(name, content)  # type: ignore[misc]
        except OSError as error:
            if not existed and os.path.exists(full_path):
                os.remove(full_path)
            if error.errno in NO_ROOM:
                raise StorageFull(error.errno, os.strerror(error.errno)) from error
            raise


class TenantStorage(WholeFilesMixin, TenantFileSystemStorage):
    """The default storage: the current organisation's media folder, whole files only."""
