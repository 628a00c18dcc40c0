"""Template helpers that list only what the visitor may see (menus, listings)."""

from __future__ import annotations

from django import template
from wagtail.models import Site

from tenant_apps.pages.visibility import menu_pages, viewer_for_user, visible_children

register = template.Library()


@register.simple_tag(takes_context=True)
def visible_child_pages(context, page):  # type: ignore[no-untyped-def]
    """The live children of ``page`` that the current visitor may see."""
    return visible_children(page=page, viewer=viewer_for_user(context["request"].user))


@register.simple_tag(takes_context=True)
def site_menu_pages(context):  # type: ignore[no-untyped-def]
    """The site menu: the home page's children shown in menus that the current visitor may see."""
    request = context["request"]
    site = Site.find_for_request(request)
    if site is None:
        return []
    return menu_pages(site_root=site.root_page, viewer=viewer_for_user(request.user))
