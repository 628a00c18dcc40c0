"""The app catalogue: the reusable apps an organisation switches on and off for its subsite.

Each app declares, in one place, what it brings: its page types, its menu section (the index page
seeded under the home page), its blocks for the intranet home, its search source, its scheduled tasks
and its settings screens. The declaration is a :class:`CatalogueApp`, registered by the app itself in
its ``AppConfig.ready()``::

    catalogue.register(CatalogueApp(key="events", label=gettext_noop("Events"), ...))

so a new app is added without editing any other. Everything that depends on apps being on or off asks
the registry (``tenant_apps.pages.catalogue`` for the current organisation): page creation, the menu,
page serving (a switched-off app's pages answer 404), the home's blocks, search and the scheduled tasks.
Data of a switched-off app is kept; switching it on brings everything back.

This module only declares: it imports no other layer (``.importlinter``); the callables an app
declares (seeding, block contexts) are its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Section:
    """The app's place in the menu: its index page under the home page, seeded when the app is on.

    ``titles`` and ``summaries`` are per language code (``nl``, ``en``): sections are seeded in the
    organisation's language. ``seed(home=…, language=…)`` creates the index page (live, in the menu)
    under ``home`` and returns it; it is called only when none of ``index_page_type`` is under the home.
    """

    slug: str
    index_page_type: str  # "app_label.modelname" (lower case), one of the app's page types
    titles: Mapping[str, str]
    seed: Callable[..., Any]
    summaries: Mapping[str, str] = field(default_factory=dict)

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles.get("en") or next(iter(self.titles.values()))


@dataclass(frozen=True)
class HomeBlock:
    """A block an editor can place on the intranet home (``HomePage.dashboard``).

    ``template`` is rendered with ``context(request=…, page=…, value=…)`` (the block's stored
    options in ``value``); a block whose app is off renders nothing. A block's context must issue a
    bounded number of queries, whatever the number of items it lists.
    """

    key: str  # unique over the catalogue, e.g. "news.latest"
    label: str  # marked with gettext_noop, translated where it is shown
    template: str
    context: Callable[..., Mapping[str, Any]]


@dataclass(frozen=True)
class MenuLink:
    """A link the app adds to the subsite's menu beside the page sections (e.g. the groups on the shared
    space). ``url()`` gives the address; ``signed_in_only`` hides it from anonymous visitors."""

    label: str  # marked with gettext_noop, translated where it is shown
    url: Callable[[], str]
    signed_in_only: bool = False


@dataclass(frozen=True)
class ScheduledTask:
    """A periodic task the app needs; added to Celery beat when the worker's app is configured.

    The task runs for the whole platform and must skip the organisations where the app is off
    (``tenant_apps.pages.catalogue.app_is_on(key=…, organisation=…)``).
    """

    name: str
    task: str  # the registered task name
    schedule: Any  # seconds, or a celery.schedules.crontab
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CatalogueApp:
    key: str
    label: str  # label and description: marked with gettext_noop, translated where they are shown
    description: str
    #: The app's page types as "app_label.modelname" (lower case): not creatable, not served, not in the
    #: menu, not in search while the app is off.
    page_types: tuple[str, ...] = ()
    section: Section | None = None
    menu_links: tuple[MenuLink, ...] = ()
    home_blocks: tuple[HomeBlock, ...] = ()
    #: The search kinds the app's content is indexed as (beside its pages, which are indexed as "page").
    search_kinds: tuple[str, ...] = ()
    scheduled_tasks: tuple[ScheduledTask, ...] = ()
    #: Names of admin URLs (``reverse``-able) of the app's own settings screens, shown on Settings > Apps.
    settings_urls: tuple[str, ...] = ()
    #: ``demo_content(section=…, language=…)``: example content under the seeded section (``make run``).
    demo_content: Callable[..., None] | None = None
    #: Order in the catalogue, the menu and the admin's list.
    order: int = 100


_REGISTRY: dict[str, CatalogueApp] = {}


class CatalogueError(ValueError):
    """A declaration that clashes with another (a key, a page type or a block registered twice)."""


def register(app: CatalogueApp) -> CatalogueApp:
    """Add ``app`` to the catalogue (from its ``AppConfig.ready()``). Registering the same declaration
    again is harmless; a different one under a taken key, page type or block key is an error."""
    existing = _REGISTRY.get(app.key)
    if existing is not None:
        if existing == app:
            return app
        raise CatalogueError(f"The catalogue already holds an app with the key {app.key!r}.")
    for other in _REGISTRY.values():
        if clash := set(other.page_types) & set(app.page_types):
            raise CatalogueError(f"Page type(s) {sorted(clash)} are declared by {other.key!r} already.")
        if clash := {b.key for b in other.home_blocks} & {b.key for b in app.home_blocks}:
            raise CatalogueError(f"Home block(s) {sorted(clash)} are declared by {other.key!r} already.")
    if app.section is not None and app.section.index_page_type not in app.page_types:
        raise CatalogueError(f"{app.key!r}: the section's index page type must be one of the app's page types.")
    _REGISTRY[app.key] = app
    return app


def unregister(key: str) -> None:
    """Remove an app (tests that register a throw-away app)."""
    _REGISTRY.pop(key, None)


def catalogue_apps() -> list[CatalogueApp]:
    """Every registered app, in catalogue order."""
    return sorted(_REGISTRY.values(), key=lambda app: (app.order, app.key))


def catalogue_app(key: str) -> CatalogueApp:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise LookupError(_("Unknown app '%(key)s'.") % {"key": key}) from None


def app_of_page_type(label: str) -> CatalogueApp | None:
    """The app that declares the page type ``label`` ("app_label.modelname"), or None (always on)."""
    label = label.lower()
    for app in _REGISTRY.values():
        if label in app.page_types:
            return app
    return None


def home_block(key: str) -> tuple[CatalogueApp, HomeBlock] | None:
    for app in _REGISTRY.values():
        for block in app.home_blocks:
            if block.key == key:
                return app, block
    return None


def home_block_choices() -> list[tuple[str, str]]:
    """Choices for the home's app block (``HomePage.dashboard``): every registered block, translated."""
    return [(block.key, _(block.label)) for app in catalogue_apps() for block in app.home_blocks]


def scheduled_tasks() -> list[ScheduledTask]:
    return [task for app in catalogue_apps() for task in app.scheduled_tasks]


def validate_app_keys(keys: list[str]) -> list[str]:
    """The keys in catalogue order; ``LookupError`` naming every unknown key."""
    known = [app.key for app in catalogue_apps()]
    unknown = sorted(set(keys) - set(known))
    if unknown:
        raise LookupError(
            _("Unknown app(s): %(unknown)s. Known: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(known)}
        )
    return [key for key in known if key in set(keys)]
