"""Reads of the document library (they never write).

The rule is ``tenant_apps.pages.visibility``'s: a document takes its collection's effective level. Here it is
applied in SQL: the collections whose level the viewer may see are worked out once from
``collections_with_levels()`` (two queries), and documents are filtered with ``collection_id IN (...)``. Every
function issues a bounded number of queries, however many documents and collections there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import CharField, Count, F, Func, Q, QuerySet, Value
from django.db.models.functions import Lower
from wagtail.documents import get_document_model

from tenant_apps.document_library.forms import SORT_NEWEST
from tenant_apps.pages.visibility import CollectionVisibility, Viewer, can_view, collections_with_levels


@dataclass(frozen=True)
class LibraryCollection:
    """A collection as the library shows it."""

    id: int
    name: str
    path: str
    depth: int
    visible: bool  # the viewer may see its level (so its documents)
    document_count: int = 0  # documents the viewer may see in it and everything below it


@dataclass(frozen=True)
class LibraryListing:
    """What a library page shows at one collection."""

    current: LibraryCollection
    at_root: bool  # the current collection is the library's own root
    #: The viewer may open it: its level allows it, or it is the library's root (whose sub-collections may be
    #: visible while its own documents are not, e.g. the root collection of an intranet).
    browsable: bool
    breadcrumbs: list[LibraryCollection]  # from the library's root down to the current collection (inclusive)
    subcollections: list[LibraryCollection]  # the visible children of the current collection, with counts
    documents: PaginatorPage  # the current collection's documents, or the search results below it
    query: str
    sort: str


def _visible_ids(collections: list[CollectionVisibility], *, viewer: Viewer) -> set[int]:
    return {entry.collection.pk for entry in collections if can_view(viewer=viewer, level=entry.effective)}


def visible_collection_ids(*, viewer: Viewer) -> set[int]:
    """The ids of the collections whose effective level ``viewer`` may see. Two queries."""
    return _visible_ids(collections_with_levels(), viewer=viewer)


def documents_visible(*, viewer: Viewer, collection_ids: set[int] | None = None) -> QuerySet:
    """Every document ``viewer`` may see (``can_view_document``, in SQL); ``collection_ids`` from
    ``visible_collection_ids`` when the caller has them already (else two queries to work them out)."""
    ids = visible_collection_ids(viewer=viewer) if collection_ids is None else collection_ids
    return get_document_model().objects.filter(collection_id__in=sorted(ids))


def documents_recent(*, viewer: Viewer, limit: int = 5) -> list[Any]:
    """The ``limit`` newest documents ``viewer`` may see. Three queries."""
    return list(documents_visible(viewer=viewer).order_by("-created_at", "-pk")[:limit])


def _file_name(field: str = "file") -> Func:
    """The stored file's name without its folder (``documents/report.pdf`` -> ``report.pdf``), in SQL."""
    return Func(F(field), Value("^.*/"), Value(""), function="regexp_replace", output_field=CharField())


def documents_matching(*, queryset: QuerySet, query: str) -> QuerySet:
    """``queryset`` narrowed to documents with every word of ``query`` in their title, file name or a tag."""
    Document = get_document_model()
    queryset = queryset.annotate(stored_file_name=_file_name())
    for word in query.split():
        with_tag = Document.objects.filter(tags__name__icontains=word).values("pk")
        queryset = queryset.filter(Q(title__icontains=word) | Q(stored_file_name__icontains=word) | Q(pk__in=with_tag))
    return queryset


def _ordered(queryset: QuerySet, *, sort: str) -> QuerySet:
    if sort == SORT_NEWEST:
        return queryset.order_by("-created_at", "-pk")
    return queryset.order_by(Lower("title"), "pk")


def library_listing(
    *,
    viewer: Viewer,
    root_collection_id: int | None,
    collection_id: int | None,
    query: str = "",
    sort: str = "",
    page_number: Any = None,
    per_page: int = 25,
) -> LibraryListing | None:
    """The library at ``collection_id`` (None: the library's root), as ``viewer`` sees it; None when that
    collection is not in the library's root collection's subtree (or does not exist in this organisation).

    With ``query``: the matching documents anywhere below the current collection; without, the current
    collection's own documents. Queries: two for the collections, one for the counts and, for a listing
    page, one count, one page of documents and one for their tags, whatever the numbers.
    """
    collections = collections_with_levels()
    by_id = {entry.collection.pk: entry for entry in collections}
    root = by_id.get(root_collection_id) if root_collection_id is not None else None
    if root is None:  # no root chosen (or it was deleted): the tree's root, every document
        root = collections[0]
    current = by_id.get(collection_id if collection_id is not None else root.collection.pk)
    if current is None or not current.collection.path.startswith(root.collection.path):
        return None

    visible = _visible_ids(collections, viewer=viewer)
    current_path = current.collection.path
    below_current = [entry for entry in collections if entry.collection.path.startswith(current_path)]
    visible_below = {entry.collection.pk for entry in below_current} & visible

    # Documents the viewer may see per collection below the current one: one grouped query, summed up the tree.
    per_collection = dict(
        documents_visible(viewer=viewer, collection_ids=visible_below)
        .order_by()
        .values("collection_id")
        .annotate(count=Count("pk"))
        .values_list("collection_id", "count")
    )

    def shown(entry: CollectionVisibility, *, with_count: bool = False) -> LibraryCollection:
        collection = entry.collection
        count = 0
        if with_count:
            count = sum(
                n
                for other in below_current
                if other.collection.path.startswith(collection.path)
                and (n := per_collection.get(other.collection.pk, 0))
            )
        return LibraryCollection(
            id=collection.pk,
            name=collection.name,
            path=collection.path,
            depth=collection.depth,
            visible=collection.pk in visible,
            document_count=count,
        )

    # The library's root first, then the collections down to the current one that the viewer may see.
    breadcrumbs = [
        shown(entry)
        for entry in collections
        if current_path.startswith(entry.collection.path)
        and entry.collection.path.startswith(root.collection.path)
        and (entry is root or entry.collection.pk in visible)
    ]
    subcollections = [
        shown(entry, with_count=True)
        for entry in below_current
        if entry.collection.depth == current.collection.depth + 1 and entry.collection.pk in visible
    ]
    if query:
        found = documents_matching(queryset=documents_visible(viewer=viewer, collection_ids=visible_below), query=query)
    elif current.collection.pk in visible:
        found = documents_visible(viewer=viewer, collection_ids={current.collection.pk})
    else:  # the library's root, whose own documents the viewer may not see: only its sub-collections
        found = get_document_model().objects.none()
    found = _ordered(found.select_related("collection").prefetch_related("tags"), sort=sort)
    return LibraryListing(
        current=shown(current),
        at_root=current is root,
        browsable=current is root or current.collection.pk in visible,
        breadcrumbs=breadcrumbs,
        subcollections=sorted(subcollections, key=lambda c: c.name.lower()),
        documents=Paginator(found, per_page).get_page(page_number),
        query=query,
        sort=sort,
    )
