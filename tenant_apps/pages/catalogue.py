"""Which of the catalogue's apps are on for an organisation, and what that means for its pages.

The declarations are in ``sites.catalogue`` (each app registers its own); the choice is the organisation's
``enabled_apps`` (public schema, changed only by ``tenants.services.organisation_set_apps``). Everything that
depends on it asks here: page creation (``VisibilityMixin.can_create_at``), page serving, listings, the menu,
the pages API and the platform search (through ``tenant_apps.pages.visibility``), the home's blocks, and the
apps' scheduled tasks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.models import Page

from sites import catalogue


def enabled_app_keys(*, organisation: Any = None) -> frozenset[str]:
    """The keys of the apps switched on for ``organisation`` (default: the current schema's)."""
    tenant = organisation if organisation is not None else getattr(connection, "tenant", None)
    return frozenset(getattr(tenant, "enabled_apps", None) or ())


def app_is_on(*, key: str, organisation: Any = None) -> bool:
    return key in enabled_app_keys(organisation=organisation)


def search_kind_is_on(*, kind: str, organisation: Any = None) -> bool:
    """False when the app that declares ``kind`` as its search source is off; kinds of no app are always on."""
    enabled = enabled_app_keys(organisation=organisation)
    return all(app.key in enabled for app in catalogue.catalogue_apps() if kind in app.search_kinds)


def page_type_is_on(*, model: type[Page], organisation: Any = None) -> bool:
    """False for a page type of an app that is off; page types of no app (home, standard page) are always on."""
    app = catalogue.app_of_page_type(model._meta.label_lower)
    return app is None or app.key in enabled_app_keys(organisation=organisation)


def switched_off_page_types(*, organisation: Any = None) -> list[str]:
    """The page types ("app_label.modelname") of the apps that are off."""
    enabled = enabled_app_keys(organisation=organisation)
    return [label for app in catalogue.catalogue_apps() if app.key not in enabled for label in app.page_types]


def _content_type_ids(labels: Iterable[str]) -> list[int]:
    """Content type ids of the page types ``labels`` in the current schema (cached by Django per schema)."""
    ids = []
    for label in labels:
        app_label, model_name = label.split(".")
        try:
            ids.append(ContentType.objects.get_by_natural_key(app_label, model_name).pk)
        except ContentType.DoesNotExist:
            continue  # an app registered in the catalogue whose tables this schema does not have yet
    return ids


def switched_off_content_type_ids() -> list[int]:
    """Content type ids of the switched-off apps' page types (current schema); empty when every app is on."""
    labels = switched_off_page_types()
    return _content_type_ids(labels) if labels else []


def page_is_switched_off(*, page: Page) -> bool:
    """Whether ``page`` or a page above it belongs to an app that is off (its pages answer 404)."""
    off = switched_off_content_type_ids()
    if not off:
        return False
    if page.content_type_id in off:
        return True
    return Page.objects.ancestor_of(page).filter(content_type_id__in=off).exists()


def sections_ensure(*, home: Page, apps: Iterable[str], language: str) -> list[Page]:
    """Seed the menu section of each app in ``apps`` that has none under ``home`` yet; the sections made.

    Called at provisioning (the apps chosen) and when an app is switched on (its section may have been made
    before: its data is kept while the app is off, so switching it on again finds it and makes nothing).
    """
    made = []
    for app in catalogue.catalogue_apps():
        if app.key not in set(apps) or app.section is None:
            continue
        ids = _content_type_ids([app.section.index_page_type])
        if ids and home.get_children().filter(content_type_id__in=ids).exists():
            continue
        made.append(app.section.seed(home=home, language=language))
    return made


def home_blocks_on(*, organisation: Any = None) -> list[tuple[str, str]]:
    """The home blocks an editor may place now: those of the apps that are on, as (key, label) choices."""
    enabled = enabled_app_keys(organisation=organisation)
    return [
        (block.key, block.label)
        for app in catalogue.catalogue_apps()
        if app.key in enabled
        for block in app.home_blocks
    ]
