"""The isolation suite's bookkeeping: secret markers, who may see them, and the probes' record.

A *marker* is a unique secret word put into one organisation's page, document or image (at one level), or
into a group (its name or a discussion). A *probe* asks of one answer (viewer, host, what was asked) whether
one marker is in it; it is a *leak* when the marker is there and the viewer may not see it there.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

LEVELS = ("organisation", "civil_servants", "public")
VIEWERS = ("anonymous", "citizen", "a_member", "b_member", "a_editor_b_member", "a_admin")
#: viewer -> organisation label -> role there ("" for none)
ROLES = {
    "anonymous": {},
    "citizen": {},
    "a_member": {"A": "member"},
    "b_member": {"B": "member"},
    "a_editor_b_member": {"A": "editor", "B": "member"},
    "a_admin": {"A": "administrator"},
}
#: Viewers whose verified address is at a registered organisation's domain.
CIVIL_SERVANTS = {"a_member", "b_member", "a_editor_b_member", "a_admin"}
#: Group marker -> the viewers who may see it (the group's visibility, membership and audience).
GROUP_AUDIENCE = {
    "hidden_name": {"a_member", "a_admin"},
    "hidden_discussion": {"a_member", "a_admin"},
    "closed_name": CIVIL_SERVANTS,
    "closed_discussion": {"b_member", "a_editor_b_member"},
    "open_name": CIVIL_SERVANTS,
    "open_discussion": CIVIL_SERVANTS,
}


def secret(label: str) -> str:
    """A word no page holds by chance (letters and digits only, so the search's tokeniser keeps it whole)."""
    return f"isosecret{label.replace('_', '')}{secrets.token_hex(5)}"


def levels_for(viewer: str, organisation: str) -> set[str]:
    """The levels of ``organisation``'s content that ``viewer`` may see."""
    if ROLES[viewer].get(organisation):
        return set(LEVELS)
    if viewer in CIVIL_SERVANTS:
        return {"public", "civil_servants"}
    return {"public"}


def may_edit(viewer: str, organisation: str | None) -> bool:
    return organisation is not None and ROLES[viewer].get(organisation) in {"editor", "administrator"}


@dataclass(frozen=True)
class Marker:
    """One secret: ``organisation`` "A"/"B" with a ``level``, or ``group`` (then ``level`` is its key)."""

    word: str
    organisation: str | None
    level: str
    kind: str  # page, document, image, group

    def allowed(self, *, viewer: str, host: str | None, platform_wide: bool) -> bool:
        """May ``viewer`` see this marker in an answer from ``host`` ("A", "B" or None: the shared space)?

        ``platform_wide``: the answer is the platform's (search, the shared space), which shows every
        organisation's content the viewer may see; otherwise only the host's own organisation's.
        """
        if self.kind == "group":
            return viewer in GROUP_AUDIENCE[self.level]
        assert self.organisation is not None
        if not platform_wide and host != self.organisation:
            return False
        return self.level in levels_for(viewer, self.organisation)


@dataclass
class Probe:
    viewer: str
    host: str
    what: str
    marker: str
    leak: bool


@dataclass
class Probes:
    """Every probe of the run; a leak listed in ``known`` (what, marker kind) is reported, not failed."""

    done: list[Probe] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    #: marker kind -> how many answers showed it to a viewer who may see it (the probes can see a marker)
    shown: dict[str, int] = field(default_factory=dict)
    #: host label -> status code -> how many answers (to see that forged hosts were answered, or refused)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)

    def answered(self, *, host_label: str, status: int) -> None:
        counts = self.statuses.setdefault(host_label, {})
        counts[status] = counts.get(status, 0) + 1

    def check(
        self,
        body: bytes,
        *,
        viewer: str,
        host_label: str,
        host: str | None,
        what: str,
        markers: Iterable[Marker],
        platform_wide: bool = False,
        allow_all_of: str | None = None,
    ) -> None:
        """One probe per marker: is it in ``body`` though the viewer may not see it there?"""
        for marker in markers:
            present = marker.word.encode() in body
            allowed = marker.allowed(viewer=viewer, host=host, platform_wide=platform_wide) or (
                allow_all_of is not None and marker.organisation == allow_all_of
            )
            if present and allowed:
                self.shown[marker.kind] = self.shown.get(marker.kind, 0) + 1
            self.done.append(
                Probe(
                    viewer,
                    host_label,
                    what,
                    f"{marker.kind}:{marker.organisation}:{marker.level}",
                    present and not allowed,
                )
            )

    def record(self, *, viewer: str, host_label: str, what: str, marker: str, leak: bool) -> None:
        self.done.append(Probe(viewer, host_label, what, marker, leak))

    @property
    def leaks(self) -> list[Probe]:
        return [probe for probe in self.done if probe.leak]
