"""The page types' share of a person's data export, in the current schema: the person's own contributions
— the revisions they made (with their content), the documents and images they uploaded, and the list of the
pages they own, each with the title of their own latest revision — never a page's current content, which may
hold other people's later edits. Registered for ``personal_data_export`` (``tenants.organisation_hooks``).

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
    """The pages ``user`` owns, as they left them: the title of their own latest revision (``None`` if they
    never saved one), not the page's current title or content."""
    pages = list(Page.objects.filter(owner=user).order_by("path").select_related("content_type"))
    latest_own: dict[str, Revision] = {}
    for revision in Revision.page_revisions.filter(user=user, object_id__in=[str(page.pk) for page in pages]).order_by(
        "created_at", "pk"
    ):
        latest_own[revision.object_id] = revision
    rows = []
    for page in pages:
        revision = latest_own.get(str(page.pk))
        rows.append(
            {
                "id": page.pk,
                "type": f"{page.content_type.app_label}.{page.content_type.model}",
                "title": revision.content.get("title") if revision is not None else None,
                "your_latest_revision": revision.pk if revision is not None else None,
                "your_latest_revision_at": revision.created_at if revision is not None else None,
            }
        )
    return rows


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
