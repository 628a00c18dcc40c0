"""Seeds an organisation's Wagtail site from a blueprint, in the organisation's (current) schema.

Registered for the ``site_seed`` and ``site_personalise`` hook points (``tenants.organisation_hooks``), which
provisioning and the warm pool call: the public side never imports the page types.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection
from django.db.models.expressions import RawSQL
from wagtail.models import Collection, Page, Revision, Site
from wagtail.search.index import insert_or_update_object

from sites.blueprints import PUBLIC, Blueprint
from tenant_apps.pages.models import CollectionLevel, ContentPage, HomePage
from tenant_apps.pages.services import collection_level_set
from tenant_apps.pages.visibility import COLLECTION_LEVELS
from tenants.audit import Actor


def site_seed(*, name: str, hostname: str, blueprint: Blueprint, apps: Sequence[str] | None = None) -> Site:
    """Create the home page, one menu section per enabled app and the default ``Site`` for ``hostname``.

    Must run with the organisation's schema selected; the site answers on every domain of the
    organisation (it is the schema's default site).
    """
    if connection.schema_name == "public":
        raise RuntimeError("site_seed() must run in an organisation's schema, not the public schema.")
    enabled = set(blueprint.default_apps if apps is None else apps)
    root = Page.get_first_root_node()
    # The home page is the public front door (a child is never more visible than its parent, so a
    # closed home page would close the whole site); its sections take the organisation's default.
    home = root.add_child(
        instance=HomePage(
            title=name, slug="home", intro=blueprint.home_intro.format(name=name), live=True, visibility=PUBLIC
        )
    )
    for spec in blueprint.sections:
        if spec.app in enabled:
            home.add_child(
                instance=ContentPage(
                    title=spec.title, slug=spec.slug, summary=spec.summary, live=True, show_in_menus=True
                )
            )
    collections_seed()
    return Site.objects.create(hostname=hostname, port=80, site_name=name, root_page=home, is_default_site=True)


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
    intro = blueprint.home_intro.format(name=name)
    HomePage.objects.filter(pk=home_id).update(title=name, draft_title=name, intro=intro)
    Revision.page_revisions.filter(object_id=str(home_id)).update(
        object_str=name,
        content=RawSQL("content || %s::jsonb", [json.dumps({"title": name, "draft_title": name, "intro": intro})]),
    )
    Site.objects.filter(pk=site.pk).update(hostname=hostname, site_name=name)
    Site.clear_site_root_paths_cache()
    insert_or_update_object(HomePage.objects.get(pk=home_id))
