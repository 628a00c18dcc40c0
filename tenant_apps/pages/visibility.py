"""Who may see a piece of content: the one place that decides it.

Every page (and later every document and image) carries one level:

* ``organisation`` — members of the organisation whose subsite it is;
* ``civil_servants`` — any verified civil servant, of any organisation (and the organisation's members);
* ``public`` — anyone, signed in or not.

A page left at "default" takes the organisation's default (the blueprint's: ``intranet`` ->
organisation, ``participation`` -> public). A page is never more visible than its parent: the
effective level is the most restrictive one on the way from the home page down.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from django.db import connection

from sites.blueprints import CIVIL_SERVANTS, ORGANISATION, PUBLIC

DEFAULT = ""  # "the organisation's default"


class Level(IntEnum):
    """Ordered from most to least restrictive."""

    ORGANISATION = 0
    CIVIL_SERVANTS = 1
    PUBLIC = 2

    @classmethod
    def of(cls, value: str) -> Level:
        return {ORGANISATION: cls.ORGANISATION, CIVIL_SERVANTS: cls.CIVIL_SERVANTS, PUBLIC: cls.PUBLIC}[value]

    @property
    def key(self) -> str:
        return (ORGANISATION, CIVIL_SERVANTS, PUBLIC)[self.value]


@dataclass(frozen=True)
class Viewer:
    """Who is looking, as far as visibility is concerned."""

    authenticated: bool
    member: bool = False  # member (any role) of the organisation whose subsite this is
    civil_servant: bool = False

    @property
    def highest_restriction_seen(self) -> Level:
        """The most restrictive level this viewer may see."""
        if self.member:
            return Level.ORGANISATION
        if self.civil_servant:
            return Level.CIVIL_SERVANTS
        return Level.PUBLIC


ANONYMOUS = Viewer(authenticated=False)


def viewer_for_user(user) -> Viewer:  # type: ignore[no-untyped-def]
    """The viewer for a (local) user of the current schema."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    from shared_apps.accounts.selectors import account_is_civil_servant
    from tenant_apps.people.selectors import role_of

    member = connection.schema_name != "public" and (user.is_superuser or role_of(user=user) is not None)
    account = getattr(user, "account", None)
    civil_servant = account is not None and account_is_civil_servant(account=account)
    return Viewer(authenticated=True, member=member, civil_servant=civil_servant)


def organisation_default_level() -> Level:
    """The current organisation's default visibility (public schema: public)."""
    tenant = getattr(connection, "tenant", None)
    default = getattr(tenant, "default_visibility", None)
    return Level.of(default) if default else Level.PUBLIC


def effective_level(page) -> Level:  # type: ignore[no-untyped-def]
    """The level that applies to ``page``: the most restrictive on its path from the home page."""
    from wagtail.models import Page

    default = organisation_default_level()
    path = Page.objects.ancestor_of(page, inclusive=True).filter(depth__gte=2).specific()
    levels = [Level.of(value) if (value := getattr(p, "visibility", DEFAULT)) else default for p in path]
    return min(levels, default=default)


def can_view(*, viewer: Viewer, level: Level) -> bool:
    return level >= viewer.highest_restriction_seen


def can_view_page(*, viewer: Viewer, page) -> bool:  # type: ignore[no-untyped-def]
    return can_view(viewer=viewer, level=effective_level(page))


def visible_children(*, page, viewer: Viewer) -> list:  # type: ignore[no-untyped-def]
    """The live, public-by-Wagtail children of a page the viewer can see, in menu order.

    A child is at most as visible as its parent, so for a page the viewer may see, a child is visible
    when its own level (or the organisation's default) is.
    """
    if not can_view_page(viewer=viewer, page=page):
        return []
    default = organisation_default_level()
    children = page.get_children().live().public().specific()
    return [
        child
        for child in children
        if can_view(
            viewer=viewer,
            level=Level.of(child.visibility) if getattr(child, "visibility", DEFAULT) else default,
        )
    ]
