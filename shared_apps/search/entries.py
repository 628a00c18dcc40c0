"""What one search entry says, as the side that owns the content builds it (``services.entries_upsert``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class EntryData:
    """A page, document, group or group item as the index gets it. ``body`` is folded into the search
    vector only, never stored. Organisation content carries ``organisation_id`` and ``audience`` (its
    effective level); groups and their items ``group_id`` and no audience."""

    key: str
    source: str
    kind: str
    title: str
    summary: str
    body: str
    url: str
    language: str
    published_at: datetime.datetime
    organisation_id: int | None = None
    group_id: int | None = None
    audience: str = ""
