"""Reading the current organisation's branding: once from the database, then from the cache.

The cache key is the same in every organisation; Django's cache is configured with django-tenants'
``make_key``, which puts the schema in front, so org A never reads org B's entry. Every write that
changes what is shown deletes the entry (``tenant_apps.branding.signals``); a time-out is a backstop.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.core.cache import cache
from django.db import connection
from wagtail.models import Page, Site

from tenant_apps.branding.models import DEFAULT_ACCENT, FALLBACK_PRIMARY, Branding, default_primary_colour
from tenant_apps.pages.views import signed_image_url
from tenant_apps.pages.visibility import viewer_for_user, visible_pages

CACHE_KEY = "org_branding:v2"  # v2: links carry their page, not a cached level
CACHE_SECONDS = 60 * 60
LOGO_FILTER = "height-48"


@dataclass(frozen=True)
class BrandLink:
    label: str
    url: str
    #: The page it leads to (``None``: an address elsewhere, for everyone). Who may see that page is asked per
    #: request of the pages' visibility rule, never cached: levels, restrictions and apps switched off change.
    page_id: int | None = None


@dataclass(frozen=True)
class Brand:
    """What the page frame needs from the branding (no model instances: it is kept in the cache)."""

    display_name: str  # "" until resolved for a request: the organisation's name then
    logo_url: str
    primary_colour: str
    accent_colour: str
    footer_text: str = ""
    nav_links: tuple[BrandLink, ...] = ()
    footer_links: tuple[BrandLink, ...] = ()


def _links(rows) -> tuple[BrandLink, ...]:  # type: ignore[no-untyped-def]
    links = []
    for row in rows:
        page = row.link_page
        if page is not None:
            if not page.live:
                continue
            links.append(BrandLink(label=row.label, url=page.url or "", page_id=page.pk))
        else:
            links.append(BrandLink(label=row.label, url=row.link_url))
    return tuple(link for link in links if link.url)


def branding_from_database() -> Brand:
    """The current organisation's branding as stored, or its defaults when nobody has saved any."""
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
    branding = None
    if site is not None:
        branding = (
            Branding.objects.select_related("logo")
            .prefetch_related("navigation_links__link_page", "footer_links__link_page")
            .filter(site=site)
            .first()
        )
    if branding is None:
        return Brand(
            display_name="", logo_url="", primary_colour=default_primary_colour(), accent_colour=DEFAULT_ACCENT
        )
    return Brand(
        display_name=branding.display_name,
        logo_url=signed_image_url(branding.logo, LOGO_FILTER) if branding.logo is not None else "",
        primary_colour=branding.primary_colour,
        accent_colour=branding.accent_colour,
        footer_text=branding.footer_text,
        nav_links=_links(branding.navigation_links.all()),
        footer_links=_links(branding.footer_links.all()),
    )


def cached_branding() -> Brand:
    """The current organisation's branding, from the cache when it is there (no query then)."""
    brand = cache.get(CACHE_KEY)
    if not isinstance(brand, Brand):
        brand = branding_from_database()
        cache.set(CACHE_KEY, brand, CACHE_SECONDS)
    return brand


def branding_for_request(request) -> Brand:  # type: ignore[no-untyped-def]
    """The branding for this request on an organisation's subsite, with the links this visitor may follow.

    Asked once per request (remembered on it). Cached: no query, apart from working out who the
    visitor is, which the page's own visibility check has done already.
    """
    remembered = getattr(request, "_org_branding", None)
    if remembered is not None:
        return remembered
    if connection.schema_name == "public":  # the shared space has no branding table: the platform's own look
        brand = Brand(
            display_name="GovSquare", logo_url="", primary_colour=FALLBACK_PRIMARY, accent_colour=DEFAULT_ACCENT
        )
        request._org_branding = brand
        return brand
    brand = cached_branding()
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    if not brand.display_name:
        brand = replace(brand, display_name=getattr(tenant, "name", "") or "GovSquare")
    page_ids = {link.page_id for link in brand.nav_links + brand.footer_links if link.page_id is not None}
    if page_ids:  # one query, and only when the branding links pages: the pages' own rule decides
        viewer = viewer_for_user(getattr(request, "user", None))
        visible = set(
            visible_pages(queryset=Page.objects.live().public().filter(pk__in=page_ids), viewer=viewer).values_list(
                "pk", flat=True
            )
        )
        brand = replace(
            brand,
            nav_links=tuple(link for link in brand.nav_links if link.page_id is None or link.page_id in visible),
            footer_links=tuple(link for link in brand.footer_links if link.page_id is None or link.page_id in visible),
        )
    request._org_branding = brand
    return brand
