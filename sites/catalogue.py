"""The app catalogue: reusable apps an organisation switches on for its subsite."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogueApp:
    key: str
    label: str
    description: str


CATALOGUE: dict[str, CatalogueApp] = {
    app.key: app
    for app in (
        CatalogueApp("news", "News", "News items for the organisation."),
        CatalogueApp("events", "Events", "An agenda of events."),
        CatalogueApp("knowledge-base", "Knowledge base", "How-tos and reference articles."),
        CatalogueApp("documents", "Documents", "A shared document library."),
        CatalogueApp("projects", "Projects", "Plans people can take part in."),
    )
}


def validate_app_keys(keys: list[str]) -> list[str]:
    """The keys in catalogue order; ``LookupError`` naming every unknown key."""
    unknown = sorted(set(keys) - CATALOGUE.keys())
    if unknown:
        raise LookupError(f"Unknown app(s): {', '.join(unknown)}. Known: {', '.join(CATALOGUE)}.")
    return [key for key in CATALOGUE if key in set(keys)]
