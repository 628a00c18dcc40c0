"""The kinds of subsite an organisation can start from. Versioned: a change gets a new version.

A blueprint fixes the initial page tree (one section per enabled app, in the menu), the default
visibility of content, and the branding of the site type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

ORGANISATION = "organisation"
CIVIL_SERVANTS = "civil_servants"
PUBLIC = "public"
VISIBILITY_CHOICES = [
    (ORGANISATION, gettext_lazy("Colleagues within the organisation")),
    (CIVIL_SERVANTS, gettext_lazy("All civil servants")),
    (PUBLIC, gettext_lazy("Everyone")),
]


@dataclass(frozen=True)
class SectionSpec:
    app: str  # the catalogue app this section belongs to
    title: str
    slug: str
    summary: str = ""


@dataclass(frozen=True)
class Blueprint:
    key: str
    version: int
    label: str  # marked with gettext_noop: translated where it is shown (the operator's form)
    default_visibility: str
    home_intro: str
    brand_colour: str
    sections: tuple[SectionSpec, ...] = field(default_factory=tuple)

    @property
    def default_apps(self) -> list[str]:
        return [section.app for section in self.sections]


INTRANET = Blueprint(
    key="intranet",
    version=1,
    label=gettext_noop("Intranet (staff only by default)"),
    default_visibility=ORGANISATION,
    home_intro="<p>Welcome to the intranet of {name}.</p>",
    brand_colour="#154273",
    sections=(
        SectionSpec("news", "News", "news", "News from the organisation."),
        SectionSpec("events", "Events", "events", "What is coming up."),
        SectionSpec("knowledge-base", "Knowledge base", "knowledge-base", "How we work."),
        SectionSpec("documents", "Documents", "documents", "Shared documents."),
    ),
)

PARTICIPATION = Blueprint(
    key="participation",
    version=1,
    label=gettext_noop("Participation (citizen-facing, public by default)"),
    default_visibility=PUBLIC,
    home_intro="<p>Take part in the plans of {name}.</p>",
    brand_colour="#007b4f",
    sections=(
        SectionSpec("projects", "Projects", "projects", "Plans you can have your say on."),
        SectionSpec("news", "News", "news", "Latest updates."),
    ),
)

BLUEPRINTS: dict[str, Blueprint] = {bp.key: bp for bp in (INTRANET, PARTICIPATION)}
DEFAULT_BLUEPRINT = INTRANET.key


def blueprint_get(*, key: str) -> Blueprint:
    try:
        return BLUEPRINTS[key]
    except KeyError:
        raise LookupError(
            _("Unknown blueprint '%(key)s'. Known: %(known)s.") % {"key": key, "known": ", ".join(sorted(BLUEPRINTS))}
        ) from None
