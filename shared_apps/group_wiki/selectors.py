"""Reads of a group's wiki, always for a viewer: hidden pages (and what is under them) for moderators only."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from shared_apps.group_wiki.models import WikiPage, WikiRevision
from shared_apps.group_wiki.tree import WikiNode, WikiTree, build_tree
from shared_apps.groups import access
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import Group


class WikiPageNotFound(Http404):
    """No such page in the group — or one hidden from the viewer: the same answer for both."""


def group_pages(*, group: Group) -> QuerySet[WikiPage]:
    """All the group's pages, siblings in their order: the rows a tree is built from (one query)."""
    return WikiPage.objects.filter(group=group).order_by("parent_id", "position", "title", "pk")


def wiki_tree(*, group: Group, viewer: GroupViewer) -> WikiTree:
    """The group's pages as ``viewer`` may see them, as a tree. One query, whatever the number of pages."""
    return build_tree(group_pages(group=group), include_hidden=access.can_see_hidden_items(viewer=viewer, group=group))


def wiki_node(*, tree: WikiTree, page_slug: str) -> WikiNode:
    """The page at ``page_slug`` in a viewer's tree, or ``WikiPageNotFound`` (a 404)."""
    node = tree.find(page_slug)
    if node is None:
        raise WikiPageNotFound("No such page.")
    return node


def current_revision(*, page: WikiPage) -> WikiRevision | None:
    """The page's current text: its latest revision, with its author."""
    return page.revisions.select_related("author").order_by("-created_at", "-pk").first()


def revisions_of(*, page: WikiPage) -> QuerySet[WikiRevision]:
    """The page's revisions, newest first, with their authors (for paging: one query per page of them)."""
    return page.revisions.select_related("author").order_by("-created_at", "-pk")


def revision_of(*, page: WikiPage, revision_id: int) -> WikiRevision:
    revision = revisions_of(page=page).filter(pk=revision_id).first()
    if revision is None:
        raise Http404("No such version of this page.")
    return revision
