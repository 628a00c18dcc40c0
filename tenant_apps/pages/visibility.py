"""Who may see a piece of content: the one place that decides it.

Every page, document and image carries one level:

* ``organisation`` — members of the organisation whose subsite it is;
* ``civil_servants`` — any verified civil servant, of any organisation (and the organisation's members);
* ``public`` — anyone, signed in or not.

A page left at "default" takes the organisation's default (the blueprint's: ``intranet`` ->
organisation, ``participation`` -> public). A page is never more visible than its parent: the
effective level is the most restrictive one on the way from the home page down.

Documents and images take their level from their collection: each organisation has the collections
"Organisation", "Civil servants" and "Public" (``tenant_apps.pages.seeding.collections_seed``), each carrying its
level (``CollectionLevel``, by identity, so renaming one changes nothing); any other collection takes
the most restrictive level carried above it, and the root collection (and anything under no
collection that carries one) takes the organisation's default.

Every channel asks here: page serving, listings and the site menu (``can_view_page``, ``visible_children``,
``menu_pages``), search,
feeds, the sitemap and the pages API (``visible_pages``), documents and image renditions
(``can_view_document``, ``can_view_image``), and every stored file under ``MEDIA_URL``
(``tenant_apps.pages.media``, by the level of the item that owns it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from django.apps import apps
from django.db import connection
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from wagtail.models import Collection, Page, get_page_models

from shared_apps.accounts.selectors import account_is_civil_servant
from sites.blueprints import CIVIL_SERVANTS, ORGANISATION, PUBLIC
from tenant_apps.members.selectors import role_of
from tenant_apps.pages.catalogue import page_is_switched_off, switched_off_content_type_ids

DEFAULT = ""  # "the organisation's default"
HOME_DEPTH = 2  # the home page; the tree's root (depth 1) carries no level


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
#: A viewer who may see every level (what the platform search indexes: each entry carries its audience).
EVERY_LEVEL = Viewer(authenticated=True, member=True)


def viewer_for_user(user) -> Viewer:  # type: ignore[no-untyped-def]
    """The viewer for a (local) user of the current schema.

    Worked out once per user object, i.e. once per request (the page hook, the menu and the listings
    of one page all ask), and afresh on the next request, so a change of role counts at once.
    """
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    remembered = getattr(user, "_visibility_viewer", None)
    if remembered is not None and remembered[0] == connection.schema_name:
        return remembered[1]

    member = connection.schema_name != "public" and (user.is_superuser or role_of(user=user) is not None)
    account = getattr(user, "account", None)
    civil_servant = account is not None and account_is_civil_servant(account=account)
    viewer = Viewer(authenticated=True, member=member, civil_servant=civil_servant)
    user._visibility_viewer = (connection.schema_name, viewer)
    return viewer


def organisation_default_level() -> Level:
    """The current organisation's default visibility (public schema: public)."""
    tenant = getattr(connection, "tenant", None)
    default = getattr(tenant, "default_visibility", None)
    return Level.of(default) if default else Level.PUBLIC


def effective_level(page) -> Level:  # type: ignore[no-untyped-def]
    """The level that applies to ``page``: the most restrictive on its path from the home page."""

    default = organisation_default_level()
    path = Page.objects.ancestor_of(page, inclusive=True).filter(depth__gte=HOME_DEPTH).specific()
    levels = [Level.of(value) if (value := getattr(p, "visibility", DEFAULT)) else default for p in path]
    return min(levels, default=default)


def can_view(*, viewer: Viewer, level: Level) -> bool:
    return level >= viewer.highest_restriction_seen


def can_view_page(*, viewer: Viewer, page) -> bool:  # type: ignore[no-untyped-def]
    """The viewer may see ``page``: its level allows it, and it belongs to no app that is switched off
    (``tenant_apps.pages.catalogue``; such pages are shown to nobody, and served as 404)."""
    return can_view(viewer=viewer, level=effective_level(page)) and not page_is_switched_off(page=page)


def visible_children(*, page, viewer: Viewer) -> list:  # type: ignore[no-untyped-def]
    """The live, public-by-Wagtail children of ``page`` the viewer may see (none if it is closed), in menu order."""
    return list(visible_pages(queryset=page.get_children().live().public(), viewer=viewer).specific())


def menu_pages(*, site_root, viewer: Viewer) -> list:  # type: ignore[no-untyped-def]
    """The site menu: the visible children of ``site_root`` marked "show in menus", in menu order."""
    return list(visible_pages(queryset=site_root.get_children().live().public().in_menu(), viewer=viewer).specific())


def _models_with_a_level() -> list[type]:
    """The page models whose own table holds a ``visibility`` column."""

    return [
        model
        for model in get_page_models()
        if not model._meta.abstract and any(field.name == "visibility" for field in model._meta.local_fields)
    ]


def _own_level_in(keys: list[str]) -> Q:
    """Pages whose own, explicit level is one of ``keys``."""
    condition = Q(pk__in=[])
    for model in _models_with_a_level():
        condition |= Q(pk__in=model.objects.filter(visibility__in=keys).values("pk"))
    return condition


def visible_pages(*, queryset: QuerySet, viewer: Viewer) -> QuerySet:
    """``queryset`` without the pages ``viewer`` may not see: one SQL statement, whatever the tree's size.

    A page is closed to the viewer when it belongs to an app that is off for the organisation, or when its
    own level (explicit, or the organisation's default when
    blank; page types without a ``visibility`` field count as default) is more restrictive than the
    viewer may see; every page under a closed page is closed too. The result stays a plain filter
    (``pk NOT IN (...)``), so Wagtail's search and the API's filters still apply on top of it.
    """

    allowed = viewer.highest_restriction_seen
    switched_off = switched_off_content_type_ids()
    app_off = Q(content_type_id__in=switched_off) if switched_off else Q(pk__in=[])
    if allowed == Level.ORGANISATION:  # members see every level
        if not switched_off:
            return queryset
        own_level_closed = Q(pk__in=[])
    elif organisation_default_level() < allowed:  # unmarked pages are closed: closed unless explicitly open
        own_level_closed = ~_own_level_in([level.key for level in Level if level >= allowed])
    else:
        own_level_closed = _own_level_in([level.key for level in Level if level < allowed])
    # A page of a switched-off app is closed to everyone, and so is everything under it.
    closed = Page.objects.filter(own_level_closed | app_off, depth__gte=HOME_DEPTH)
    under_closed = Page.objects.filter(Exists(closed.filter(StartsWith(OuterRef("path"), F("path")))))
    return queryset.exclude(pk__in=under_closed.values("pk"))


# --- Documents and images: their level is their collection's ------------------------------------------

#: The collections made in every organisation, one per level, by the name they are made with
#: (``tenant_apps.pages.seeding.collections_seed``). The level is recorded by identity (``CollectionLevel``), not by
#: name: a renamed collection keeps its level.
COLLECTION_LEVELS: dict[str, Level] = {
    "Organisation": Level.ORGANISATION,
    "Civil servants": Level.CIVIL_SERVANTS,
    "Public": Level.PUBLIC,
}


def _collection_level_model() -> type[Model]:
    """``CollectionLevel`` through the app registry: the page types' models import this module."""
    return apps.get_model("org_pages", "CollectionLevel")


def collection_level(collection) -> Level:  # type: ignore[no-untyped-def]
    """The most restrictive level carried on the way from the root collection to ``collection``.

    A collection under none that carries a level (the root collection itself included) takes the
    organisation's default. One query.
    """
    CollectionLevel = _collection_level_model()
    carried = CollectionLevel.objects.filter(collection__in=collection.get_ancestors(inclusive=True))
    return level_from_carried([Level.of(value) for value in carried.values_list("level", flat=True)])


def level_from_carried(carried: list[Level], *, default: Level | None = None) -> Level:
    """The rule for files: the most restrictive level carried on a collection's path, else the default."""
    return min(carried, default=organisation_default_level() if default is None else default)


@dataclass(frozen=True)
class CollectionVisibility:
    """A collection as the Visibility screen shows it."""

    collection: object
    own: Level | None  # the level it carries itself, if any
    effective: Level  # who sees its documents and images
    widest_allowed: Level  # the widest level it may be given: what the collection above it allows


def collections_with_levels() -> list[CollectionVisibility]:
    """Every collection of the organisation in tree order, with its own and its effective level. Two queries."""

    CollectionLevel = _collection_level_model()
    own = {pk: Level.of(value) for pk, value in CollectionLevel.objects.values_list("collection_id", "level")}
    default = organisation_default_level()
    carried_on_path: dict[str, list[Level]] = {"": []}  # by path: the levels carried down to that collection
    result = []
    for collection in Collection.objects.order_by("path"):
        above = carried_on_path[collection.path[: -Collection.steplen]]
        carried = above + ([own[collection.pk]] if collection.pk in own else [])
        carried_on_path[collection.path] = carried
        result.append(
            CollectionVisibility(
                collection=collection,
                own=own.get(collection.pk),
                effective=level_from_carried(carried, default=default),
                # what the collection above allows (the service refuses anything wider); the root: anything
                widest_allowed=level_from_carried(above, default=default) if collection.depth > 1 else Level.PUBLIC,
            )
        )
    return result


def can_view_document(*, viewer: Viewer, document) -> bool:  # type: ignore[no-untyped-def]
    return can_view(viewer=viewer, level=collection_level(document.collection))


def can_view_image(*, viewer: Viewer, image) -> bool:  # type: ignore[no-untyped-def]
    return can_view(viewer=viewer, level=collection_level(image.collection))
