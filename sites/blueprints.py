"""The kinds of subsite an organisation can start from. Versioned: a change gets a new version.

A blueprint fixes the apps switched on at the start (each seeds its section in the menu), the default
visibility of content, and the branding of the site type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
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
class Blueprint:
    """A kind of subsite. ``apps`` are the catalogue's apps switched on at the start (each brings its menu
    section, home blocks and page types: ``sites.catalogue``); ``home_intros`` the home's introduction per
    language, with ``{name}`` for the organisation's name (escaped when it is filled in)."""

    key: str
    version: int
    label: str  # marked with gettext_noop: translated where it is shown (the operator's form)
    default_visibility: str
    home_intros: dict[str, str]
    brand_colour: str
    apps: tuple[str, ...] = field(default_factory=tuple)

    @property
    def default_apps(self) -> list[str]:
        return list(self.apps)

    def home_intro(self, *, name: str, language: str) -> str:
        """The home's introduction in ``language`` (English if there is none), the name escaped."""
        template = self.home_intros.get(language) or self.home_intros["en"]
        return template.format(name=escape(name))


INTRANET = Blueprint(
    key="intranet",
    version=2,
    label=gettext_noop("Intranet (staff only by default)"),
    default_visibility=ORGANISATION,
    home_intros={
        "nl": "<p>Welkom op het intranet van {name}.</p>",
        "en": "<p>Welcome to the intranet of {name}.</p>",
    },
    brand_colour="#154273",
    apps=("news", "events", "knowledge-base", "documents", "people", "groups"),
)

PARTICIPATION = Blueprint(
    key="participation",
    version=2,
    label=gettext_noop("Participation (citizen-facing, public by default)"),
    default_visibility=PUBLIC,
    home_intros={
        "nl": "<p>Denk mee over de plannen van {name}.</p>",
        "en": "<p>Take part in the plans of {name}.</p>",
    },
    brand_colour="#007b4f",
    apps=("news", "events", "documents", "groups"),
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
