"""The page types' share of a person's data export, in the current schema: pages owned, revisions made,
documents and images uploaded. Registered for ``personal_data_export`` (``tenants.organisation_hooks``).

Nothing is erased here: contributions stay, with the anonymised local user as their author.
"""

from __future__ import annotations

from typing import Any

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from shared_apps.accounts.models import Account
from shared_apps.accounts.personal_data.archive import PersonalArchive, row_data, safe_name
from shared_apps.people.models import User


def export_contributions(*, account: Account, local_user: User, archive: PersonalArchive, folder: str) -> None:
    archive.json(f"{folder}/pages.json", _pages_owned(local_user))
    archive.json(f"{folder}/revisions.json", _revisions_made(local_user))
    archive.json(f"{folder}/documents.json", _uploads(archive, local_user, kind="documents", folder=folder))
    archive.json(f"{folder}/images.json", _uploads(archive, local_user, kind="images", folder=folder))


def _pages_owned(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": page.pk,
            "type": page._meta.label_lower,
            "title": page.title,
            "url_path": page.url_path,
            "live": page.live,
            "first_published_at": page.first_published_at,
            "last_published_at": page.last_published_at,
            "content": page.serializable_data(),
        }
        for page in Page.objects.filter(owner=user).order_by("path").specific()
    ]


def _revisions_made(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": revision.pk,
            "type": f"{revision.content_type.app_label}.{revision.content_type.model}",
            "object_id": revision.object_id,
            "object": revision.object_str,
            "created_at": revision.created_at,
            "content": revision.content,
        }
        for revision in Revision.objects.filter(user=user).select_related("content_type").order_by("created_at")
    ]


def _uploads(archive: PersonalArchive, user: User, *, kind: str, folder: str) -> list[dict[str, Any]]:
    model = get_document_model() if kind == "documents" else get_image_model()
    rows = []
    for item in model.objects.filter(uploaded_by_user=user).select_related("collection").order_by("pk"):
        row = row_data(item, exclude=("uploaded_by_user",))
        row["collection"] = item.collection.name if item.collection_id else None
        row["tags"] = sorted(item.tags.names()) if hasattr(item, "tags") else []
        row["file_in_archive"] = archive.file(f"{folder}/{kind}/{item.pk}-{safe_name(item.file.name)}", item.file)
        rows.append(row)
    return rows
