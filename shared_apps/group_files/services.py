"""Writes in a group's files: folders made, renamed, moved, deleted; files uploaded, renamed, moved, deleted.

Every write asks ``shared_apps.groups.access`` first: members of an active group make folders and upload;
an item's author (still a member) or a moderator renames, moves and deletes it. Hidden items are touched
by moderators only. Bad input is a ``ValidationError`` naming the field; nothing is half done: a refused
upload leaves no row and no file behind (the file is written inside the transaction and removed again when
anything after it fails). Deleted files leave the storage after the commit (``signals``).
"""

from __future__ import annotations

import hashlib
from typing import IO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account
from shared_apps.group_files import kinds
from shared_apps.group_files.models import Folder, GroupFile
from shared_apps.group_files.names import FILE_NAME_MAX, FOLDER_NAME_MAX, clean_name
from shared_apps.group_files.selectors import ItemNotFound, file_for, folder_for, folder_tree
from shared_apps.groups import access
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import Group, GroupActivity
from shared_apps.groups.services.activity import activity_forget, activity_record
from shared_apps.groups.services.common import refuse
from tenants.storage import StorageFull, is_no_room

_CHUNK = 64 * 1024


def _viewer(actor: Account) -> GroupViewer:
    return access.viewer_for_account(actor)


def _require_writer(viewer: GroupViewer, group: Group) -> None:
    if not access.can_write(viewer=viewer, group=group):
        if group.is_archived:
            raise refuse(_("This group is archived: it is read-only."))
        raise refuse(_("Only the group's members add files and folders."))


def _require_editor(viewer: GroupViewer, group: Group, item: Folder | GroupFile) -> None:
    if item.is_hidden and not access.can_see_hidden_items(viewer=viewer, group=group):
        raise refuse(_("This item is hidden by the group's moderators."))
    if not access.can_edit_item(viewer=viewer, group=group, author_id=item.author_id):
        if group.is_archived:
            raise refuse(_("This group is archived: it is read-only."))
        raise refuse(_("Only the one who added it, and the group's moderators, change or delete it."))


def _target_folder(viewer: GroupViewer, group: Group, folder_id: object, *, field: str) -> Folder | None:
    """The folder something goes into (``None``: the top), one the viewer sees in this group."""
    if folder_id in (None, ""):
        return None
    try:
        return folder_for(viewer=viewer, group=group, folder_id=int(folder_id))
    except (ItemNotFound, TypeError, ValueError):
        raise ValidationError({field: [_("That folder is not in this group.")]}) from None


def _folder_name_taken(group: Group, parent: Folder | None, name: str, *, but: Folder | None = None) -> bool:
    folders = Folder.objects.annotate(lower=Lower("name")).filter(group=group, parent=parent, lower=name.lower())
    return folders.exclude(pk=but.pk if but is not None else None).exists()


def _file_name_taken(group: Group, folder: Folder | None, name: str, *, but: GroupFile | None = None) -> bool:
    files = GroupFile.objects.annotate(lower=Lower("original_name")).filter(
        group=group, folder=folder, lower=name.lower()
    )
    return files.exclude(pk=but.pk if but is not None else None).exists()


def _folder_taken_error(name: str) -> ValidationError:
    return ValidationError({"name": [_("There is a folder called “%(name)s” here already.") % {"name": name}]})


def _file_taken_error(name: str, field: str = "name") -> ValidationError:
    return ValidationError({field: [_("There is a file called “%(name)s” in this folder already.") % {"name": name}]})


def folder_url(*, group: Group, folder_id: int) -> str:
    """The folder's page on the shared space (whichever URLconf the caller runs under)."""
    kwargs = {"slug": group.slug, "folder_id": folder_id}
    return reverse("group_files:folder", kwargs=kwargs, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def file_url(*, group: Group, file_id: int) -> str:
    """The file's page on the shared space (whichever URLconf the caller runs under)."""
    kwargs = {"slug": group.slug, "file_id": file_id}
    return reverse("group_files:file", kwargs=kwargs, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


# --- Folders ------------------------------------------------------------------------------------------


def folder_create(*, group: Group, actor: Account, name: str, parent_id: int | None = None) -> Folder:
    viewer = _viewer(actor)
    _require_writer(viewer, group)
    parent = _target_folder(viewer, group, parent_id, field="parent")
    name = clean_name(name, field="name", max_length=FOLDER_NAME_MAX)
    if _folder_name_taken(group, parent, name):
        raise _folder_taken_error(name)
    try:
        with transaction.atomic():
            folder = Folder.objects.create(group=group, author=actor, parent=parent, name=name)
            activity_record(
                group=group,
                actor=actor,
                verb="folder.created",
                summary=name,
                url=folder_url(group=group, folder_id=folder.pk),
                target=folder,
            )
    except IntegrityError:  # made at the same moment by someone else
        raise _folder_taken_error(name) from None
    return folder


def folder_rename(*, group: Group, actor: Account, folder_id: int, name: str) -> Folder:
    viewer = _viewer(actor)
    folder = folder_for(viewer=viewer, group=group, folder_id=folder_id)
    _require_editor(viewer, group, folder)
    name = clean_name(name, field="name", max_length=FOLDER_NAME_MAX)
    if _folder_name_taken(group, folder.parent, name, but=folder):
        raise _folder_taken_error(name)
    folder.name, folder.edited_at = name, timezone.now()
    try:
        with transaction.atomic():
            folder.save(update_fields=["name", "edited_at", "updated_at"])
    except IntegrityError:
        raise _folder_taken_error(name) from None
    return folder


def folder_move(*, group: Group, actor: Account, folder_id: int, parent_id: int | None) -> Folder:
    """Move a folder (with what is in it) into another folder of the group, or to the top; never into itself
    or a folder inside it."""
    viewer = _viewer(actor)
    folder = folder_for(viewer=viewer, group=group, folder_id=folder_id)
    _require_editor(viewer, group, folder)
    parent = _target_folder(viewer, group, parent_id, field="parent")
    if parent is not None and parent.pk in folder_tree(group=group).within(folder.pk):
        raise ValidationError({"parent": [_("A folder cannot go into itself or into a folder inside it.")]})
    if _folder_name_taken(group, parent, folder.name, but=folder):
        raise ValidationError(
            {"parent": [_("There is a folder called “%(name)s” there already.") % {"name": folder.name}]}
        )
    folder.parent, folder.edited_at = parent, timezone.now()
    with transaction.atomic():
        folder.save(update_fields=["parent", "edited_at", "updated_at"])
    return folder


def folder_delete(*, group: Group, actor: Account, folder_id: int) -> None:
    """Delete a folder and everything in it; the files leave the storage once the deletion is committed."""
    viewer = _viewer(actor)
    folder = folder_for(viewer=viewer, group=group, folder_id=folder_id)
    _require_editor(viewer, group, folder)
    folders = folder_tree(group=group).within(folder.pk)
    files = list(GroupFile.objects.filter(group=group, folder__in=folders).values_list("pk", flat=True))
    with transaction.atomic():
        # Their lines go from the activity stream too (two queries, however many items).
        for model, ids in ((Folder, folders), (GroupFile, files)):
            GroupActivity.objects.filter(
                group=group, target_type=ContentType.objects.get_for_model(model), target_id__in=list(ids)
            ).delete()
        folder.delete()


# --- Files --------------------------------------------------------------------------------------------


def _measure(file: IO[bytes], limit: int) -> tuple[int, str]:
    """The file's size and SHA-256, read in chunks (stops counting past ``limit``: the size is refused)."""
    digest, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in iter(lambda: file.read(_CHUNK), b""):
        size += len(chunk)
        if size > limit:
            break
        digest.update(chunk)
    file.seek(0)
    return size, digest.hexdigest()


def _kinds_list() -> str:
    return ", ".join(kinds.accepted_extensions())


def _check_upload(upload: File, name: str) -> tuple[kinds.Kind, int, str]:
    """The kind, size and SHA-256 of an acceptable upload; ``ValidationError`` on ``file`` otherwise."""
    limit = settings.GROUP_FILE_MAX_BYTES
    too_large = _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": [too_large]})
    kind = kinds.kind_for_name(name)
    if kind is None:
        raise ValidationError(
            {"file": [_("Files of this kind are not accepted. Accepted: %(kinds)s.") % {"kinds": _kinds_list()}]}
        )
    size, sha256 = _measure(upload, limit)
    if size > limit:
        raise ValidationError({"file": [too_large]})
    if size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    if not kinds.content_matches(kind=kind, file=upload):
        raise ValidationError(
            {
                "file": [
                    _("The file's content is not a .%(extension)s file. Accepted: %(kinds)s.")
                    % {"extension": kind.extension, "kinds": _kinds_list()}
                ]
            }
        )
    return kind, size, sha256


def file_upload(*, group: Group, actor: Account, upload: File | None, folder_id: int | None = None) -> GroupFile:
    """Store an uploaded file in the group (in ``folder_id``, or at the top), once everything about it is
    checked: the uploader may write here, its name, its size, its kind by extension and by content, no file
    of that name in the folder. A refusal stores nothing."""
    viewer = _viewer(actor)
    _require_writer(viewer, group)
    folder = _target_folder(viewer, group, folder_id, field="folder")
    if upload is None:
        raise ValidationError({"file": [_("Choose a file to upload.")]})
    name = clean_name(upload.name, field="file", max_length=FILE_NAME_MAX)
    kind, size, sha256 = _check_upload(upload, name)
    if _file_name_taken(group, folder, name):
        raise _file_taken_error(name, "file")
    item = GroupFile(
        group=group,
        author=actor,
        folder=folder,
        original_name=name,
        size=size,
        content_type=kind.content_type,
        sha256=sha256,
    )
    try:
        with transaction.atomic():
            # The file is written inside the transaction: whatever fails after this removes it again.
            item.file.save(f"upload.{kind.extension}", upload, save=False)
            item.save()
            activity_record(
                group=group,
                actor=actor,
                verb="file.uploaded",
                summary=name,
                url=file_url(group=group, file_id=item.pk),
                target=item,
            )
    except BaseException as error:
        if item.file.name:
            item.file.storage.delete(item.file.name)
        if isinstance(error, IntegrityError):  # uploaded at the same moment by someone else
            raise _file_taken_error(name, "file") from None
        if is_no_room(error):  # the disk is full: the storage kept nothing of it
            raise ValidationError({"file": [str(StorageFull.message)]}) from None
        raise
    return item


def file_rename(*, group: Group, actor: Account, file_id: int, name: str) -> GroupFile:
    """Rename a file; it keeps its kind (the extension can change only to one of the same kind)."""
    viewer = _viewer(actor)
    item = file_for(viewer=viewer, group=group, file_id=file_id)
    _require_editor(viewer, group, item)
    name = clean_name(name, field="name", max_length=FILE_NAME_MAX)
    kind = kinds.KINDS.get(kinds.extension_of(name))
    if kind is None or kind.content_type != item.content_type:
        raise ValidationError(
            {"name": [_("Keep the extension: .%(extension)s.") % {"extension": kinds.extension_of(item.original_name)}]}
        )
    if _file_name_taken(group, item.folder, name, but=item):
        raise _file_taken_error(name)
    item.original_name, item.edited_at = name, timezone.now()
    try:
        with transaction.atomic():
            item.save(update_fields=["original_name", "edited_at", "updated_at"])
    except IntegrityError:
        raise _file_taken_error(name) from None
    return item


def file_move(*, group: Group, actor: Account, file_id: int, folder_id: int | None) -> GroupFile:
    viewer = _viewer(actor)
    item = file_for(viewer=viewer, group=group, file_id=file_id)
    _require_editor(viewer, group, item)
    folder = _target_folder(viewer, group, folder_id, field="folder")
    if _file_name_taken(group, folder, item.original_name, but=item):
        raise _file_taken_error(item.original_name, "folder")
    item.folder, item.edited_at = folder, timezone.now()
    with transaction.atomic():
        item.save(update_fields=["folder", "edited_at", "updated_at"])
    return item


def file_delete(*, group: Group, actor: Account, file_id: int) -> None:
    """Delete a file; it leaves the storage once the deletion is committed."""
    viewer = _viewer(actor)
    item = file_for(viewer=viewer, group=group, file_id=file_id)
    _require_editor(viewer, group, item)
    with transaction.atomic():
        activity_forget(target=item)
        item.delete()
