"""``{% featured_groups as groups %}``: the organisation's featured groups the visitor may see."""

from __future__ import annotations

from django import template

from shared_apps.accounts.mail import platform_url
from shared_apps.groups.access import viewer_for_user
from shared_apps.groups.models import Group
from tenant_apps.featured_groups.selectors import featured_groups_for

register = template.Library()


@register.simple_tag(takes_context=True)
def featured_groups(context: template.Context) -> list[Group]:
    request = context.get("request")
    return featured_groups_for(viewer=viewer_for_user(getattr(request, "user", None)))


@register.filter
def shared_space_group_url(group: Group) -> str:
    """A group's address on the shared space."""
    return platform_url(f"/groups/{group.slug}/")
