"""The app catalogue: reusable apps an organisation switches on for its subsite."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class CatalogueApp:
    key: str
    label: str  # label and description: marked with gettext_noop, translated where they are shown
    description: str


CATALOGUE: dict[str, CatalogueApp] = {
    app.key: app
    for app in (
        CatalogueApp("news", gettext_noop("News"), gettext_noop("News items for the organisation.")),
        CatalogueApp("events", gettext_noop("Events"), gettext_noop("An agenda of events.")),
        CatalogueApp("knowledge-base", gettext_noop("Knowledge base"), gettext_noop("How-tos and reference articles.")),
        CatalogueApp("documents", gettext_noop("Documents"), gettext_noop("A shared document library.")),
        CatalogueApp("projects", gettext_noop("Projects"), gettext_noop("Plans people can take part in.")),
    )
}


def validate_app_keys(keys: list[str]) -> list[str]:
    """The keys in catalogue order; ``LookupError`` naming every unknown key."""
    unknown = sorted(set(keys) - CATALOGUE.keys())
    if unknown:
        raise LookupError(
            _("Unknown app(s): %(unknown)s. Known: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(CATALOGUE)}
        )
    return [key for key in CATALOGUE if key in set(keys)]
