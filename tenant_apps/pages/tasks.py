"""Background work keeping the platform search in step with an organisation's pages and documents.

Thin: each task finds the organisation by its schema, enters it and calls ``search_index``. Queued by the
signal handlers in ``search_index`` after commit; an organisation that is gone meanwhile is left alone
(its entries went with it). Re-indexing a whole organisation is the public side's
``search.organisation_reindex`` (``shared_apps.search.tasks``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import shared_task

from tenant_apps.pages import search_index
from tenants.models import Organisation
from tenants.schemas import in_schema


def _in_organisation(schema_name: str, work: Callable[[], int]) -> dict[str, Any]:
    organisation = Organisation.objects.filter(schema_name=schema_name).first()
    if organisation is None:
        return {"schema": schema_name, "entries": 0, "gone": True}
    with in_schema(organisation):
        return {"schema": schema_name, "entries": work()}


@shared_task(name="search.page_reindex")
def page_reindex(*, schema_name: str, page_id: int) -> dict[str, Any]:
    """A page and its subtree (published, unpublished, moved, its level or restrictions changed)."""
    return _in_organisation(schema_name, lambda: search_index.page_subtree_reindex(page_id=page_id))


@shared_task(name="search.pages_remove")
def pages_remove(*, schema_name: str, page_ids: list[int]) -> dict[str, Any]:
    """Pages deleted."""
    return _in_organisation(schema_name, lambda: search_index.pages_remove(page_ids=page_ids))


@shared_task(name="search.document_reindex")
def document_reindex(*, schema_name: str, document_id: int) -> dict[str, Any]:
    """A document saved or deleted."""
    return _in_organisation(schema_name, lambda: search_index.document_reindex(document_id=document_id))


@shared_task(name="search.documents_reindex")
def documents_reindex(*, schema_name: str) -> dict[str, Any]:
    """Every document of the organisation (a collection's level changed)."""
    return _in_organisation(schema_name, search_index.documents_reindex)
