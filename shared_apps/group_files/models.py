"""A group's folders (a tree) and files. Both are group content (``GroupContent``): an author, hidden by
moderators, reported and removed like any other item.

A file's stored name is random (``storage.stored_name``); the name a person gave is ``original_name``,
shown and sent with downloads, unique within its folder (case aside), as a folder's name is among its
siblings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy

from shared_apps.group_files.names import FILE_NAME_MAX, FOLDER_NAME_MAX
from shared_apps.group_files.storage import group_file_storage, stored_name
from shared_apps.groups.models import GroupContent


class Folder(GroupContent):
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(gettext_lazy("name"), max_length=FOLDER_NAME_MAX)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "group", "parent", nulls_distinct=False, name="group_files_one_folder_name_per_parent"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def containers(self) -> list[GroupContent]:
        return self.chain_of_parents(self.parent)

    def item_url(self) -> str:
        return reverse(
            "group_files:folder",
            kwargs={"slug": self.group.slug, "folder_id": self.pk},
            urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        )


class GroupFile(GroupContent):
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=group_file_storage, upload_to=stored_name, max_length=200)
    original_name = models.CharField(gettext_lazy("name"), max_length=FILE_NAME_MAX)
    size = models.PositiveBigIntegerField()  # bytes
    content_type = models.CharField(max_length=100)  # of its kind (``kinds``), never the browser's claim
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["original_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("original_name"),
                "group",
                "folder",
                nulls_distinct=False,
                name="group_files_one_file_name_per_folder",
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    def containers(self) -> list[GroupContent]:
        return self.chain_of_parents(self.folder)

    def item_url(self) -> str:
        return reverse(
            "group_files:file",
            kwargs={"slug": self.group.slug, "file_id": self.pk},
            urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        )
