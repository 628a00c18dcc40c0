"""Seeds an organisation's Wagtail site from a blueprint, in the organisation's (current) schema.

Registered for the ``site_seed`` and ``site_personalise`` hook points (``tenants.organisation_hooks``), which
provisioning and the warm pool call: the public side never imports the page types.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.conf import settings
from django.db import connection
from django.db.models.expressions import RawSQL
from wagtail.models import Collection, Page, Revision, Site
from wagtail.search.index import insert_or_update_object

from sites import catalogue
from sites.blueprints import PUBLIC, Blueprint
from tenant_apps.pages.catalogue import app_is_on, sections_ensure
from tenant_apps.pages.models import CollectionLevel, HomePage
from tenant_apps.pages.services import collection_level_set
from tenant_apps.pages.visibility import COLLECTION_LEVELS
from tenants.audit import Actor


def site_seed(
    *, name: str, hostname: str, blueprint: Blueprint, apps: Sequence[str] | None = None, language: str = ""
) -> Site:
    """Create the home page, the section of each enabled app (in the menu) and the default ``Site`` for
    ``hostname``, in the organisation's ``language`` (default: the platform's).

    Must run with the organisation's schema selected; the site answers on every domain of the
    organisation (it is the schema's default site).
    """
    if connection.schema_name == "public":
        raise RuntimeError("site_seed() must run in an organisation's schema, not the public schema.")
    language = language or settings.LANGUAGE_CODE
    enabled = list(blueprint.default_apps if apps is None else apps)
    root = Page.get_first_root_node()
    # The home page is the public front door (a child is never more visible than its parent, so a
    # closed home page would close the whole site); its sections take the organisation's default.
    home = root.add_child(
        instance=HomePage(
            title=name,
            slug="home",
            intro=blueprint.home_intro(name=name, language=language),
            dashboard=default_dashboard(),
            live=True,
            visibility=PUBLIC,
        )
    )
    sections_ensure(home=home, apps=enabled, language=language)
    collections_seed()
    return Site.objects.create(hostname=hostname, port=80, site_name=name, root_page=home, is_default_site=True)


def default_dashboard() -> list[tuple[str, dict]]:
    """The new home's blocks: "new since your last visit", then every block of the catalogue (those of apps that
    are off render nothing, so switching an app on later shows its block at once)."""
    blocks: list[tuple[str, dict]] = [("new_since_last_visit", {"heading": "", "count": 8})]
    blocks += [
        ("app_block", {"block": block.key, "heading": "", "count": 5})
        for app in catalogue.catalogue_apps()
        for block in app.home_blocks
    ]
    return blocks


def collections_seed() -> None:
    """One collection per visibility level under the root collection, for documents and images, each
    carrying its level (``CollectionLevel``); the root collection itself stands
    for the organisation's default. Idempotent: existing level collections are left as they are."""
    root = Collection.get_first_root_node()
    carried = set(CollectionLevel.objects.filter(collection__depth=2).values_list("level", flat=True))
    existing = {collection.name: collection for collection in root.get_children()}
    for collection_name, level in COLLECTION_LEVELS.items():
        if level.key in carried:
            continue
        collection = existing.get(collection_name) or root.add_child(instance=Collection(name=collection_name))
        collection_level_set(collection=collection, level=level.key, actor=Actor.system("seeding"))


def site_personalise(*, name: str, hostname: str, blueprint: Blueprint) -> None:
    """Turn a site seeded for ``sites.seeding.POOL_PLACEHOLDER_NAME`` into the organisation's (current schema).

    A pool schema carries a complete site tree seeded ahead of time; at claim time only what names
    the organisation changes: the home page's title and intro (page row, its revisions, its search
    entry) and the Site's host name and name. Everything else the blueprint made is generic.
    """
    site = Site.objects.select_related("root_page").get(is_default_site=True)
    home_id = site.root_page_id
    intro = blueprint.home_intro(name=name, language=settings.LANGUAGE_CODE)  # pool sites are seeded in it
    HomePage.objects.filter(pk=home_id).update(title=name, draft_title=name, intro=intro)
    Revision.page_revisions.filter(object_id=str(home_id)).update(
        object_str=name,
        content=RawSQL("content || %s::jsonb", [json.dumps({"title": name, "draft_title": name, "intro": intro})]),
    )
    Site.objects.filter(pk=site.pk).update(hostname=hostname, site_name=name)
    Site.clear_site_root_paths_cache()
    insert_or_update_object(HomePage.objects.get(pk=home_id))


def demo_content_seed(*, language: str) -> list[str]:
    """The demo's example content (``make run``), current schema: each app that is on and declares
    ``demo_content`` fills its section. For a new demo organisation only (the caller decides); the keys of the
    apps that added content."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return []
    home = site.root_page
    filled = []
    for app in catalogue.catalogue_apps():
        if app.demo_content is None or app.section is None or not app_is_on(key=app.key):
            continue
        app_label, model_name = app.section.index_page_type.split(".")
        section = home.get_children().filter(content_type__app_label=app_label, content_type__model=model_name).first()
        if section is not None:
            app.demo_content(section=section.specific, language=language)
            filled.append(app.key)
    return filled
