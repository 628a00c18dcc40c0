"""Writes of the document library: adding a document (the demo content's way in; editors use Wagtail's admin)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.models import Collection

#: The longest title Wagtail's document model takes.
TITLE_MAX_LENGTH = 255


def collection_child_ensure(*, parent: Collection, name: str) -> Collection:
    """The child collection of ``parent`` called ``name``, made if there is none."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A collection needs a name.")})
    existing = parent.get_children().filter(name=name).first()
    return existing if existing is not None else parent.add_child(instance=Collection(name=name))


def document_add(
    *,
    title: str,
    file_name: str,
    content: bytes,
    collection: Collection,
    tags: Iterable[str] = (),
    uploaded_by: Any = None,
) -> Any:
    """A new document in ``collection`` holding ``content`` as ``file_name``, with ``tags``.

    ``ValidationError`` (nothing written) for an empty title, a file name without a type, or empty content.
    """
    title = " ".join(title.split())
    errors: dict[str, str] = {}
    if not title or len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("Give the document a title of at most %(limit)d characters.") % {"limit": TITLE_MAX_LENGTH}
    if "/" in file_name or "\\" in file_name or "." not in file_name.strip(".") or "\x00" in file_name:
        errors["file"] = _("Give the file a plain name with its type, such as report.pdf.")
    if not content:
        errors["file"] = _("The file is empty.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = get_document_model()(
            title=title,
            file=ContentFile(content, name=file_name),
            collection=collection,
            uploaded_by_user=uploaded_by,
            file_size=len(content),
            file_hash=hashlib.sha1(content, usedforsecurity=False).hexdigest(),  # as Wagtail's hash_filelike
        )
        document.save()
        names = [name.strip() for name in tags if name.strip()]
        if names:
            document.tags.add(*names)
    return document
