"""The tenancy boundary, derived from the folders of the repository.

* every app in ``shared_apps/`` lives in the public schema only;
* every app in ``tenant_apps/`` lives in every organisation schema (and in the template schema);
* ``tenants`` (the organisation registry) lives in the public schema;
* a short, explicit list of apps is needed on *both* sides (``BOTH_SIDES_APPS``), each with a reason;
* ``govsquare`` itself is an app without models (``PROJECT_APPS``).

Which code may import which is a separate rule, checked by import-linter (``.importlinter``).

``SHARED_APPS`` / ``TENANT_APPS`` in the settings are computed here and nowhere else, and
``govsquare.architecture`` checks the models against the same lists.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_APPS_FOLDER = "shared_apps"
TENANT_APPS_FOLDER = "tenant_apps"

#: Apps whose tables exist in the public schema *and* in every organisation schema.
#: Why each is here:
BOTH_SIDES_APPS: list[str] = [
    "django.contrib.contenttypes",  # every schema has its own content types (ids differ per schema)
    "django.contrib.auth",  # groups and permissions are per schema: Wagtail's permissions need them
    # The local user table (AUTH_USER_MODEL), linked to a public Account: a person's presence in every
    # schema, the shared space's included. Its code is public-side (shared_apps/), so both sides use it.
    "shared_apps.people",
    "django.contrib.sessions",  # a session belongs to one host, so to one schema
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Wagtail's models point at the user model with cascading deletes. The user table lives on both
    # sides, so Wagtail's tables must too, or deleting a user in the public schema would look for
    # Wagtail tables that are not there. It also lets the shared space become a Wagtail site later.
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.contrib.settings",  # no models: per-site settings (an organisation's branding, tenant_apps.branding)
    # No models: the pages API (/api/v2/ on each subsite) and its REST framework (templates, renderers),
    # and the sitemap.xml template that wagtail.contrib.sitemaps' view renders.
    "wagtail.api.v2",
    "rest_framework",
    "django.contrib.sitemaps",
    "wagtail",
    "modelcluster",
    "taggit",
    # The OpenID Connect provider is the shared space's, but its tokens and grants point at the user
    # model with cascading deletes, so its tables exist wherever the user table does.
    "oauth2_provider",
    # Page types extend wagtailcore.Page, which lives on both sides: deleting a Page in the public
    # schema looks for its subclass tables there too (govsquare.architecture rule 4 enforces this).
    # The shared space can then use the same page types for its own pages.
    "tenant_apps.pages",
    # The catalogue's apps with page types (or Wagtail site settings, whose table points at wagtailcore's
    # Site with a cascading delete), for the same reason as tenant_apps.pages.
    "tenant_apps.news",
    "tenant_apps.events",
    "tenant_apps.knowledge_base",
    "tenant_apps.document_library",
    "tenant_apps.people_directory",
    "tenant_apps.branding",
]

#: The organisation registry must be in the public schema (django-tenants requires it first).
REGISTRY_APPS: list[str] = ["django_tenants", "tenants"]

#: The project package itself, as an app without models (platform-wide checks, the ``demo_data`` command):
#: public schema, where commands and checks run.
PROJECT_APPS: list[str] = ["govsquare"]


def apps_in_folder(folder: str, *, root: Path = REPO_ROOT) -> list[str]:
    """Dotted names of the Django apps (sub-folders with an ``apps.py``) in ``folder``."""
    base = root / folder
    return sorted(
        f"{folder}.{child.name}"
        for child in base.iterdir()
        if child.is_dir() and (child / "apps.py").is_file() and (child / "__init__.py").is_file()
    )


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        seen.setdefault(name, None)
    return list(seen)


def shared_apps() -> list[str]:
    """Apps installed in the public schema."""
    return _unique(REGISTRY_APPS + BOTH_SIDES_APPS + apps_in_folder(SHARED_APPS_FOLDER) + PROJECT_APPS)


def tenant_apps() -> list[str]:
    """Apps installed in every organisation schema."""
    return _unique(BOTH_SIDES_APPS + apps_in_folder(TENANT_APPS_FOLDER))


def installed_apps() -> list[str]:
    """``INSTALLED_APPS``: the union, public side first (django-tenants' rule)."""
    return _unique(shared_apps() + tenant_apps())
