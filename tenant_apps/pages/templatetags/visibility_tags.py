"""Template helpers that list only what the visitor may see (menus, listings)."""

from __future__ import annotations

from django import template

from tenant_apps.pages.visibility import viewer_for_user, visible_children

register = template.Library()


@register.simple_tag(takes_context=True)
def visible_child_pages(context, page):  # type: ignore[no-untyped-def]
    """The live children of ``page`` that the current visitor may see."""
    return visible_children(page=page, viewer=viewer_for_user(context["request"].user))
