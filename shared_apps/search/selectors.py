"""Reads of the platform search: one ranked, paginated list of what the viewer may find, with facet counts.

Two queries per search, whatever the platform's size: one grouped count over the trimmed matches (by
source and kind — the facets, and the total, come out of it), one page of ranked results. The trim
(``access.trim_condition``) is part of both, so paging never leaks and never comes up short.

The index lives in PostgreSQL (``SEARCH_BACKEND = "postgres"``, the only backend built). OpenSearch, for
very large platforms, is a possible future backend; until it is built, any other value is a
configuration error.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from shared_apps.search.access import SearchViewer, trim_condition
from shared_apps.search.models import SearchEntry

#: Longer queries are cut to this many characters.
QUERY_MAX = 200
PER_PAGE_MAX = 100
BACKENDS = ("postgres",)

SOURCE_THIS = "this"
SOURCE_GROUPS = "groups"
SOURCE_OTHERS = "others"
SOURCES = (SOURCE_THIS, SOURCE_GROUPS, SOURCE_OTHERS)


def search_backend() -> str:
    """The configured backend (``SEARCH_BACKEND``); ``ImproperlyConfigured`` for one that is not built."""
    backend = getattr(settings, "SEARCH_BACKEND", "postgres")
    if backend not in BACKENDS:
        raise ImproperlyConfigured(
            f"SEARCH_BACKEND is {backend!r}, but the only search backend built is 'postgres' "
            "(the index in PostgreSQL's public schema). Set SEARCH_BACKEND = 'postgres'."
        )
    return backend


@dataclass(frozen=True)
class SearchResults:
    """One page of results, the total and the facet counts (every count already trimmed to the viewer)."""

    query: str
    entries: list[SearchEntry] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 20
    #: kind -> matches, with every filter but the kind filter (so the facet shows every kind)
    counts_by_kind: dict[str, int] = field(default_factory=dict)
    #: source (this / groups / others) -> matches, with every filter but the source filter
    counts_by_source: dict[str, int] = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0


def clean_query(query: str | None) -> str:
    """The query as searched: whitespace collapsed, at most ``QUERY_MAX`` characters."""
    return " ".join((query or "").split())[:QUERY_MAX].strip()


def _ts_query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config="dutch") | SearchQuery(
        text, search_type="websearch", config="english"
    )


def _bucket(viewer: SearchViewer) -> Case:
    """Which source filter an entry falls under, for this viewer's current organisation."""
    current = viewer.current_organisation_id
    this = [] if current is None else [When(organisation_id=current, then=Value(SOURCE_THIS))]
    return Case(
        When(source=SearchEntry.Source.GROUP, then=Value(SOURCE_GROUPS)),
        *this,
        default=Value(SOURCE_OTHERS),
        output_field=CharField(),
    )


def _source_condition(*, source: str, viewer: SearchViewer) -> Q:
    if source == SOURCE_GROUPS:
        return Q(source=SearchEntry.Source.GROUP)
    current = viewer.current_organisation_id
    if source == SOURCE_THIS:
        if current is None:
            return Q(pk__in=[])  # the shared space is no organisation
        return Q(source=SearchEntry.Source.ORGANISATION, organisation_id=current)
    others = Q(source=SearchEntry.Source.ORGANISATION)
    return others & ~Q(organisation_id=current) if current is not None else others


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def matching(
    *,
    viewer: SearchViewer,
    query: str,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[SearchEntry]:
    """The entries matching ``query`` that the viewer may find, published in [since, until] (whole days)."""
    found = SearchEntry.objects.filter(trim_condition(viewer=viewer), search_vector=_ts_query(query))
    if since is not None:
        found = found.filter(published_at__gte=_day_start(since))
    if until is not None:
        found = found.filter(published_at__lt=_day_start(until + datetime.timedelta(days=1)))
    return found


def search(
    *,
    viewer: SearchViewer,
    query: str,
    source: str | None = None,
    kind: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchResults:
    """What the viewer may find for ``query``: ranked (best first, then newest), a page at a time.

    An empty query finds nothing (and asks the database nothing). A page past the end gives the last page.
    ``ValueError`` for an unknown source or kind, or ``since`` after ``until``.
    """
    search_backend()
    if source is not None and source not in SOURCES:
        raise ValueError(f"Unknown source {source!r}: choose one of {', '.join(SOURCES)}.")
    if kind is not None and kind not in SearchEntry.Kind.values:
        raise ValueError(f"Unknown kind {kind!r}.")
    if since is not None and until is not None and since > until:
        raise ValueError("The start date is after the end date.")
    per_page = min(max(1, per_page), PER_PAGE_MAX)
    text = clean_query(query)
    if not text:
        return SearchResults(query=text, per_page=per_page)

    found = matching(viewer=viewer, query=text, since=since, until=until).annotate(bucket=_bucket(viewer))
    counts_by_kind: dict[str, int] = {}
    counts_by_source: dict[str, int] = {}
    total = 0
    for row in found.order_by().values("bucket", "kind").annotate(n=Count("pk")):
        in_source = source is None or row["bucket"] == source
        in_kind = kind is None or row["kind"] == kind
        if in_source:
            counts_by_kind[row["kind"]] = counts_by_kind.get(row["kind"], 0) + row["n"]
        if in_kind:
            counts_by_source[row["bucket"]] = counts_by_source.get(row["bucket"], 0) + row["n"]
        if in_source and in_kind:
            total += row["n"]

    num_pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), num_pages)
    entries: list[SearchEntry] = []
    if total:
        selected = found
        if source is not None:
            selected = selected.filter(_source_condition(source=source, viewer=viewer))
        if kind is not None:
            selected = selected.filter(kind=kind)
        ranked = selected.annotate(rank=SearchRank(F("search_vector"), _ts_query(text), cover_density=True))
        offset = (page - 1) * per_page
        entries = list(
            ranked.select_related("organisation", "group").order_by("-rank", "-published_at", "pk")[
                offset : offset + per_page
            ]
        )
    return SearchResults(
        query=text,
        entries=entries,
        total=total,
        page=page,
        per_page=per_page,
        counts_by_kind=counts_by_kind,
        counts_by_source=counts_by_source,
    )
