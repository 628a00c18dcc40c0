"""Writes to the search index: upsert entries (one or in bulk), delete them by key or key prefix.

Entries are written with ``INSERT … ON CONFLICT (key) DO UPDATE`` and their ``search_vector`` set in SQL
for the touched keys: the title weighs ``A``, summary and body ``B``, each in the Dutch and the English
configuration (so both languages' stemming finds them). The body is never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from celery import current_app
from django.db import connection, transaction

from shared_apps.groups.models import Group
from shared_apps.search.entries import EntryData
from shared_apps.search.group_index import GROUP_PREFIX, group_entries
from shared_apps.search.models import SearchEntry
from tenants import organisation_hooks
from tenants.models import Organisation
from tenants.schemas import in_schema

TITLE_MAX = 300
SUMMARY_MAX = 500
#: Body text folded into the vector is capped (PostgreSQL's tsvector is limited to 1 MB).
BODY_MAX = 100_000


_VALID_SOURCES = frozenset(SearchEntry.Source.values)
_VALID_KINDS = frozenset(SearchEntry.Kind.values)
_VALID_AUDIENCES = frozenset(SearchEntry.Audience.values)


def _check(entry: EntryData) -> None:
    if not entry.key or len(entry.key) > 200:
        raise ValueError(f"A search entry needs a key of 1 to 200 characters, not {entry.key!r}.")
    if entry.source not in _VALID_SOURCES:
        raise ValueError(f"Unknown search source {entry.source!r} for {entry.key}.")
    if entry.kind not in _VALID_KINDS:
        raise ValueError(f"Unknown search kind {entry.kind!r} for {entry.key}.")
    if entry.source == SearchEntry.Source.ORGANISATION:
        if entry.organisation_id is None or entry.audience not in _VALID_AUDIENCES:
            raise ValueError(f"Organisation entry {entry.key} needs an organisation and an audience.")
    elif entry.group_id is None or entry.audience:
        raise ValueError(f"Group entry {entry.key} needs a group and no audience.")
    if entry.published_at is None:
        raise ValueError(f"Search entry {entry.key} needs a publication date.")


_UPSERT_COLUMNS = (
    "key, source, organisation_id, group_id, kind, audience, title, summary, url, language, published_at, updated_at"
)

_VECTOR = (
    "setweight(to_tsvector('dutch', v.title), 'A') || setweight(to_tsvector('english', v.title), 'A') || "
    "setweight(to_tsvector('dutch', v.text), 'B') || setweight(to_tsvector('english', v.text), 'B')"
)


def _write_batch(batch: Sequence[EntryData]) -> None:
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    rows = []
    params: list[object] = []
    vectors = []
    vector_params: list[object] = []
    for entry in batch:
        rows.append("(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())")
        title = entry.title[:TITLE_MAX]
        summary = entry.summary[:SUMMARY_MAX]
        params += [
            entry.key,
            entry.source,
            entry.organisation_id,
            entry.group_id,
            entry.kind,
            entry.audience,
            title,
            summary,
            entry.url[:500],
            entry.language[:8],
            entry.published_at,
        ]
        vectors.append("(%s, %s, %s)")
        vector_params += [entry.key, title, f"{summary}\n{entry.body[:BODY_MAX]}"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({_UPSERT_COLUMNS}) VALUES {', '.join(rows)} "
            "ON CONFLICT (key) DO UPDATE SET source = EXCLUDED.source, organisation_id = EXCLUDED.organisation_id, "
            "group_id = EXCLUDED.group_id, kind = EXCLUDED.kind, audience = EXCLUDED.audience, "
            "title = EXCLUDED.title, summary = EXCLUDED.summary, url = EXCLUDED.url, "
            "language = EXCLUDED.language, published_at = EXCLUDED.published_at, updated_at = now()",
            params,
        )
        cursor.execute(
            f"UPDATE {table} AS e SET search_vector = {_VECTOR} "
            f"FROM (VALUES {', '.join(vectors)}) AS v(key, title, text) WHERE e.key = v.key",
            vector_params,
        )


def entries_upsert(*, entries: Sequence[EntryData], batch_size: int = 1000) -> int:
    """Write ``entries`` (new or changed), ``batch_size`` per statement; how many were written.

    All or nothing: a bad entry (unknown kind, organisation entry without audience, …) raises ``ValueError``
    before anything is written. A key given twice keeps its last version.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    last_by_key: dict[str, EntryData] = {}
    for entry in entries:
        _check(entry)
        last_by_key[entry.key] = entry
    unique = list(last_by_key.values())
    if not unique:
        return 0
    with transaction.atomic():
        for start in range(0, len(unique), batch_size):
            _write_batch(unique[start : start + batch_size])
    return len(unique)


def entry_upsert(*, entry: EntryData) -> None:
    """Write one entry (new or changed)."""
    entries_upsert(entries=[entry])


def entries_delete(*, keys: Iterable[str]) -> int:
    """Remove the entries with these keys; how many were removed."""
    keys = list(keys)
    if not keys:
        return 0
    deleted, _ = SearchEntry.objects.filter(key__in=keys).delete()
    return deleted


def entries_delete_prefix(*, prefix: str) -> int:
    """Remove every entry whose key starts with ``prefix`` (e.g. ``"org_a:"`` or ``"org_a:wagtaildocs."``)."""
    if not prefix:
        raise ValueError("A prefix is needed: deleting the whole index by prefix is not allowed.")
    deleted, _ = SearchEntry.objects.filter(key__startswith=prefix).delete()
    return deleted


def entries_replace(
    *,
    entries: Sequence[EntryData],
    prefix: str = "",
    group_id: int | None = None,
    within_keys: Iterable[str] | None = None,
) -> int:
    """Make the index hold exactly ``entries`` for one owner, named by a key ``prefix`` (an organisation's
    schema, its documents), a ``group_id`` and/or the keys it may hold (``within_keys``: a page's subtree):
    the owner's entries not among ``entries`` go, ``entries`` are written. One transaction: a search never
    sees the owner half re-indexed. How many were written."""
    if not prefix and group_id is None and within_keys is None:
        raise ValueError("Say whose entries are replaced: a key prefix, a group or the keys.")
    scope = SearchEntry.objects.all()
    if prefix:
        scope = scope.filter(key__startswith=prefix)
    if group_id is not None:
        scope = scope.filter(group_id=group_id)
    if within_keys is not None:
        scope = scope.filter(key__in=list(within_keys))
    with transaction.atomic():
        scope.exclude(key__in=[entry.key for entry in entries]).delete()
        return entries_upsert(entries=entries)


def organisation_reindex(*, organisation: Organisation) -> int:
    """Rebuild an organisation's entries from its schema (``search_entries_of_organisation`` hook, run in
    its schema); how many it has. Organisations other than active ones are left to the query's trim."""
    with in_schema(organisation):
        entries = organisation_hooks.search_entries_of_organisation.call_one(organisation=organisation)
    return entries_replace(entries=entries, prefix=f"{organisation.schema_name}:")


def organisation_reindex_later(*, organisation: Organisation) -> None:
    """Queue ``organisation_reindex`` once the current transaction commits (its default visibility changed)."""
    organisation_id = organisation.pk
    transaction.on_commit(
        lambda: current_app.tasks["search.organisation_reindex"].delay(organisation_id=organisation_id), robust=True
    )


def group_reindex(*, group_id: int) -> int:
    """Rebuild one group's entries (the group and its items, hidden ones left out); 0 for a deleted group
    (its entries went with it)."""
    group = Group.objects.filter(pk=group_id).first()
    if group is None:
        return 0
    return entries_replace(entries=group_entries(group=group), prefix=GROUP_PREFIX, group_id=group.pk)


def group_reindex_later(*, group_id: int) -> None:
    """Queue ``group_reindex`` once the current transaction commits."""
    transaction.on_commit(lambda: current_app.tasks["search.group_reindex"].delay(group_id=group_id), robust=True)


def platform_reindex(*, groups: bool = True, organisations: Iterable[Organisation] | None = None) -> dict[str, int]:
    """Rebuild the index of the given organisations (default: every active one) and of every group.
    For the demo data and ``manage.py search_reindex``: it visits each organisation's schema in turn."""
    counts: dict[str, int] = {}
    chosen = Organisation.objects.filter(status=Organisation.Status.ACTIVE) if organisations is None else organisations
    for organisation in chosen:
        counts[organisation.slug] = organisation_reindex(organisation=organisation)
    if groups:
        counts["groups"] = sum(group_reindex(group_id=pk) for pk in Group.objects.values_list("pk", flat=True))
    return counts
