"""What follows an organisation's registry row in its Wagtail site (current schema), and the warm pool's
placeholder name. Seeding a new site from a blueprint is the page types' own work:
``tenant_apps.pages.seeding``, reached through the ``site_seed`` hook point (``tenants.organisation_hooks``).
"""

from __future__ import annotations

from wagtail.models import Site


def site_rename(*, name: str) -> None:
    """Follow a change of the organisation's display name in its site (current schema)."""
    Site.objects.update(site_name=name)
    Site.clear_site_root_paths_cache()


def site_set_hostname(*, hostname: str) -> None:
    """Follow a change of the organisation's primary domain in its site (current schema).

    A bulk update skips ``Site.save()``, so Wagtail's cached site root paths are cleared here.
    """
    Site.objects.filter(is_default_site=True).update(hostname=hostname)
    Site.clear_site_root_paths_cache()


#: Name of the placeholder organisation a warm-pool schema's site is seeded with.
POOL_PLACEHOLDER_NAME = "GovSquare pool placeholder"
