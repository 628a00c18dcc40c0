"""The kinds of subsite an organisation can start from. Versioned: a change gets a new version."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageSpec:
    title: str
    slug: str
    summary: str = ""


@dataclass(frozen=True)
class Blueprint:
    key: str
    version: int
    label: str
    home_intro: str
    sections: tuple[PageSpec, ...] = field(default_factory=tuple)


INTRANET = Blueprint(
    key="intranet",
    version=1,
    label="Intranet (staff only by default)",
    home_intro="<p>Welcome to the intranet of {name}.</p>",
    sections=(
        PageSpec("News", "news", "News from the organisation."),
        PageSpec("Events", "events", "What is coming up."),
        PageSpec("Knowledge base", "knowledge-base", "How we work."),
        PageSpec("Documents", "documents", "Shared documents."),
    ),
)

PARTICIPATION = Blueprint(
    key="participation",
    version=1,
    label="Participation (citizen-facing, public by default)",
    home_intro="<p>Take part in the plans of {name}.</p>",
    sections=(
        PageSpec("Projects", "projects", "Plans you can have your say on."),
        PageSpec("News", "news", "Latest updates."),
    ),
)

BLUEPRINTS: dict[str, Blueprint] = {bp.key: bp for bp in (INTRANET, PARTICIPATION)}
DEFAULT_BLUEPRINT = INTRANET.key


def blueprint_get(*, key: str) -> Blueprint:
    try:
        return BLUEPRINTS[key]
    except KeyError:
        raise LookupError(f"Unknown blueprint '{key}'. Known: {', '.join(sorted(BLUEPRINTS))}.") from None
