"""Reads of a group's folders and files, for a viewer: hidden items (and everything inside a hidden folder)
are for moderators only; to everyone else they do not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from shared_apps.group_files.models import Folder, GroupFile
from shared_apps.groups import access
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import Group


class ItemNotFound(Http404):
    """No such folder or file in this group — or one the viewer may not see: the same answer for both."""


@dataclass(frozen=True)
class FolderTree:
    """Every folder of a group as ``id -> (parent id, name, hidden)``: one query, for paths and visibility."""

    folders: dict[int, tuple[int | None, str, bool]]

    def ancestors(self, folder_id: int | None) -> list[int]:
        """``folder_id`` and the folders above it, nearest first (a broken chain ends the walk)."""
        chain: list[int] = []
        while folder_id is not None and folder_id in self.folders and folder_id not in chain:
            chain.append(folder_id)
            folder_id = self.folders[folder_id][0]
        return chain

    def hidden(self, folder_id: int | None) -> bool:
        """Whether the folder, or one it is in, is hidden."""
        return any(self.folders[f][2] for f in self.ancestors(folder_id))

    def path(self, folder_id: int | None) -> str:
        return " / ".join(self.folders[f][1] for f in reversed(self.ancestors(folder_id)))

    def within(self, folder_id: int) -> set[int]:
        """The folder and every folder inside it, however deep."""
        return {f for f in self.folders if folder_id in self.ancestors(f)}


def folder_tree(*, group: Group) -> FolderTree:
    rows = Folder.objects.filter(group=group).values_list("pk", "parent_id", "name", "hidden_at")
    return FolderTree({pk: (parent, name, hidden_at is not None) for pk, parent, name, hidden_at in rows})


def _moderates(viewer: GroupViewer, group: Group) -> bool:
    """Whether the viewer sees hidden items (and what is in hidden folders): the groups' rule."""
    return access.can_see_hidden_items(viewer=viewer, group=group)


def folder_for(*, viewer: GroupViewer, group: Group, folder_id: int) -> Folder:
    """The group's folder ``folder_id`` if ``viewer`` may see it (it and the folders above it not hidden, or
    the viewer moderates the group); ``ItemNotFound`` otherwise."""
    folder = Folder.objects.filter(group=group, pk=folder_id).select_related("author", "parent").first()
    if folder is None or (not _moderates(viewer, group) and folder_tree(group=group).hidden(folder.pk)):
        raise ItemNotFound("No such folder.")
    return folder


def file_for(*, viewer: GroupViewer, group: Group, file_id: int) -> GroupFile:
    """The group's file ``file_id`` if ``viewer`` may see it (as ``folder_for``); ``ItemNotFound`` otherwise."""
    item = GroupFile.objects.filter(group=group, pk=file_id).select_related("author", "folder").first()
    if item is None:
        raise ItemNotFound("No such file.")
    if not _moderates(viewer, group) and (item.is_hidden or folder_tree(group=group).hidden(item.folder_id)):
        raise ItemNotFound("No such file.")
    return item


def folders_in(*, viewer: GroupViewer, group: Group, parent: Folder | None) -> QuerySet[Folder]:
    """The folders directly in ``parent`` (``None``: at the top), by name; hidden ones for moderators only.
    (``parent`` itself has been checked by ``folder_for``.)"""
    folders = (
        Folder.objects.filter(group=group, parent=parent)
        .filter(access.visible_items_condition(viewer=viewer, group=group))
        .select_related("author")
    )
    return folders.order_by("name", "pk")


def files_in(*, viewer: GroupViewer, group: Group, folder: Folder | None) -> QuerySet[GroupFile]:
    """The files directly in ``folder`` (``None``: at the top), by name; hidden ones for moderators only."""
    files = (
        GroupFile.objects.filter(group=group, folder=folder)
        .filter(access.visible_items_condition(viewer=viewer, group=group))
        .select_related("author")
    )
    return files.order_by("original_name", "pk")


def breadcrumbs(*, group: Group, folder: Folder | None) -> list[tuple[int, str]]:
    """``(id, name)`` of the folders from the top down to ``folder`` (one query)."""
    if folder is None:
        return []
    tree = folder_tree(group=group)
    return [(pk, tree.folders[pk][1]) for pk in reversed(tree.ancestors(folder.pk))]


def move_targets(*, viewer: GroupViewer, group: Group, moving: Folder | None = None) -> list[tuple[int, str]]:
    """The folders something may be moved into, as ``(id, "A / B / C")`` by path (one query): those the viewer
    sees, and for a folder being moved, none inside it (nor itself)."""
    tree = folder_tree(group=group)
    moderates = _moderates(viewer, group)
    excluded = tree.within(moving.pk) if moving is not None else set()
    targets = [(pk, tree.path(pk)) for pk in tree.folders if pk not in excluded and (moderates or not tree.hidden(pk))]
    return sorted(targets, key=lambda target: (target[1].casefold(), target[0]))
