"""Writes to a group's wiki. Every one asks ``shared_apps.groups.access`` first and is all or nothing.

* **Create** a page (at the top or under another page) and **edit** any page: the group's members, while
  the group is active. Each save that changes the title or the text is a new revision; one that changes
  nothing makes none. Moving a page (under another one, or to the top) is part of editing it.
* **Restore** an old revision (a new revision with that text) and **delete** a page with its subpages: the
  page's author or a moderator (``access.can_edit_item``).
* A hidden page (or one under a hidden page) is for moderators only, to read and to change.

Slugs come from titles and stay when the title changes, so addresses keep working. Activity: "wiki.created"
for a new page, "wiki.edited" at most once per person per page per ``EDIT_ACTIVITY_WINDOW``; nothing is
recorded about hidden pages (the stream is read by every reader of the group).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account
from shared_apps.group_wiki.models import NOTE_MAX, SLUG_MAX, TITLE_MAX, WikiPage, WikiRevision
from shared_apps.group_wiki.selectors import current_revision, group_pages
from shared_apps.group_wiki.tree import MAX_DEPTH, WikiNode, WikiTree, build_tree
from shared_apps.groups import access
from shared_apps.groups.models import Group, GroupActivity
from shared_apps.groups.richtext import sanitise
from shared_apps.groups.services.activity import activity_record

BODY_MAX = 200_000
#: Slugs the wiki's own addresses use (``/groups/<slug>/wiki/new/``).
RESERVED_SLUGS = frozenset({"new"})
VERB_CREATED = "wiki.created"
VERB_EDITED = "wiki.edited"
#: A person's edits of one page make one line of the group's activity per this much time.
EDIT_ACTIVITY_WINDOW = timedelta(hours=1)


class _Keep:
    def __repr__(self) -> str:
        return "KEEP_PARENT"


#: ``wiki_page_edit(parent=...)``'s default: the page stays where it is.
KEEP_PARENT: Final = _Keep()


@dataclass(frozen=True)
class WikiEdit:
    """What an edit did: the new revision (``None``: the text and title were the same) and whether it moved."""

    revision: WikiRevision | None
    moved: bool

    @property
    def changed(self) -> bool:
        return self.revision is not None or self.moved


def page_url(page: WikiPage, *, group: Group) -> str:
    """The page's address on the shared space (from anywhere: a request, a command, a worker)."""
    return reverse(
        "group_wiki:page", kwargs={"slug": group.slug, "page_slug": page.slug}, urlconf=settings.PUBLIC_SCHEMA_URLCONF
    )


# --- Checks -------------------------------------------------------------------------------------------


def _viewer(actor: Account) -> access.GroupViewer:
    return access.viewer_for_account(actor)


def _require_writer(viewer: access.GroupViewer, group: Group) -> None:
    if not access.can_write(viewer=viewer, group=group):
        raise PermissionDenied(_("Only the group's members write in its wiki, while the group is active."))


def _in_group(group: Group, page: WikiPage) -> None:
    if page.group_id != group.pk:
        raise ValidationError(_("That page is not in this group."))


def _tree(group: Group) -> WikiTree:
    """Every page of the group, hidden ones included: where pages may go is decided on the whole tree."""
    return build_tree(group_pages(group=group), include_hidden=True)


def _node(tree: WikiTree, page: WikiPage) -> WikiNode:
    node = tree.by_id.get(page.pk)
    if node is None:
        raise ValidationError(_("That page is no longer there."))
    return node


def _require_visible(viewer: access.GroupViewer, group: Group, node: WikiNode) -> None:
    """A hidden page, and what is under it, is for moderators only."""
    if node.hidden and not access.can_see_hidden_items(viewer=viewer, group=group):
        raise PermissionDenied(_("This page is hidden by the group's moderators."))


def _lock_group(group: Group) -> None:
    """One change of the group's tree at a time (slugs, positions, moves)."""
    Group.objects.select_for_update().filter(pk=group.pk).values_list("pk", flat=True).first()


def _clean_title(title: str, errors: dict[str, list[str]]) -> str:
    title = " ".join((title or "").replace("\x00", "").split())
    if not title:
        errors["title"] = [_("Give the page a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Keep the title to %(count)s characters.") % {"count": TITLE_MAX}]
    return title


def _clean_body(body: str, errors: dict[str, list[str]]) -> str:
    body = sanitise(body or "")
    if len(body) > BODY_MAX:
        errors["body"] = [_("The text is too long: keep it to %(count)s characters.") % {"count": BODY_MAX}]
    return body


def _clean_note(note: str, errors: dict[str, list[str]]) -> str:
    note = " ".join((note or "").replace("\x00", "").split())
    if len(note) > NOTE_MAX:
        errors["note"] = [_("Keep the note to %(count)s characters.") % {"count": NOTE_MAX}]
    return note


def _check_place(
    tree: WikiTree, *, parent: WikiPage | None, group: Group, viewer: access.GroupViewer, moving: WikiNode | None
) -> WikiNode | None:
    """The node ``parent`` in ``tree`` if a page (``moving``, or a new one) may go under it."""
    if parent is None:
        return None
    if parent.group_id != group.pk or parent.pk not in tree.by_id:
        raise ValidationError({"parent": [_("Choose a page of this group.")]})
    target = tree.by_id[parent.pk]
    if target.hidden and not access.can_see_hidden_items(viewer=viewer, group=group):
        raise ValidationError({"parent": [_("Choose a page of this group.")]})
    if moving is not None and (target is moving or any(node is moving for node in target.ancestors())):
        raise ValidationError({"parent": [_("A page cannot go under itself or one of its own subpages.")]})
    levels = 1 + (moving.height() if moving is not None else 0)
    if target.depth + levels >= MAX_DEPTH:
        raise ValidationError(
            {"parent": [_("Pages nest at most %(count)s levels deep: choose a page higher up.") % {"count": MAX_DEPTH}]}
        )
    return target


def _free_slug(group: Group, title: str) -> str:
    base = slugify(title)[: SLUG_MAX - 6].strip("-") or "page"
    taken = set(WikiPage.objects.filter(group=group, slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _next_position(group: Group, parent: WikiPage | None) -> int:
    highest = WikiPage.objects.filter(group=group, parent=parent).aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _record_edit(*, group: Group, actor: Account, page: WikiPage, node: WikiNode) -> None:
    """One "wiki.edited" line per person per page per ``EDIT_ACTIVITY_WINDOW`` (the page's creation counts)."""
    if node.hidden:
        return
    recent = GroupActivity.objects.filter(
        group=group,
        actor=actor,
        verb__in=[VERB_CREATED, VERB_EDITED],
        target_type=ContentType.objects.get_for_model(WikiPage),
        target_id=page.pk,
        created_at__gte=timezone.now() - EDIT_ACTIVITY_WINDOW,
    )
    if not recent.exists():
        activity_record(
            group=group, actor=actor, verb=VERB_EDITED, summary=page.title, url=page_url(page, group=group), target=page
        )


# --- Writes -------------------------------------------------------------------------------------------


def wiki_page_create(
    *, group: Group, actor: Account, title: str, body: str, parent: WikiPage | None = None
) -> WikiPage:
    """A new page at the top of the wiki or under ``parent``, with its first revision."""
    viewer = _viewer(actor)
    _require_writer(viewer, group)
    errors: dict[str, list[str]] = {}
    title, body = _clean_title(title, errors), _clean_body(body, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_group(group)
        target = _check_place(_tree(group), parent=parent, group=group, viewer=viewer, moving=None)
        page = WikiPage.objects.create(
            group=group,
            author=actor,
            parent=parent,
            title=title,
            slug=_free_slug(group, title),
            position=_next_position(group, parent),
        )
        WikiRevision.objects.create(page=page, title=title, body=body, author=actor)
        if target is None or not target.hidden:
            activity_record(
                group=group, actor=actor, verb=VERB_CREATED, summary=title, url=page_url(page, group=group), target=page
            )
    return page


def wiki_page_edit(
    *,
    group: Group,
    actor: Account,
    page: WikiPage,
    title: str,
    body: str,
    note: str = "",
    parent: WikiPage | _Keep | None = KEEP_PARENT,
    base_revision_id: int | None = None,
) -> WikiEdit:
    """Save a page: a new revision when the title or the text changed, and a move when ``parent`` is given
    and differs. ``base_revision_id``: the revision the editor started from; if someone saved the page
    since, nothing is saved (``ValidationError`` with the code ``"conflict"``)."""
    _in_group(group, page)
    viewer = _viewer(actor)
    _require_writer(viewer, group)
    errors: dict[str, list[str]] = {}
    title, body, note = _clean_title(title, errors), _clean_body(body, errors), _clean_note(note, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_group(group)
        locked = WikiPage.objects.select_for_update().filter(pk=page.pk, group=group).first()
        if locked is None:
            raise ValidationError(_("That page is no longer there."))
        tree = _tree(group)
        node = _node(tree, locked)
        _require_visible(viewer, group, node)
        current = current_revision(page=locked)
        if base_revision_id is not None and current is not None and current.pk != base_revision_id:
            raise ValidationError(
                _(
                    "Someone saved this page while you were editing it. Your text is kept below: compare it with "
                    "the current version, then save again."
                ),
                code="conflict",
            )
        moved = False
        if not isinstance(parent, _Keep) and (parent.pk if parent else None) != locked.parent_id:
            _check_place(tree, parent=parent, group=group, viewer=viewer, moving=node)
            locked.parent, locked.position = parent, _next_position(group, parent)
            moved = True
        revision = None
        if current is None or current.title != title or current.body != body:
            revision = WikiRevision.objects.create(page=locked, title=title, body=body, author=actor, note=note)
            locked.title, locked.edited_at = title, timezone.now()
        if moved or revision is not None:
            locked.save(update_fields=["parent", "position", "title", "edited_at", "updated_at"])
            _record_edit(group=group, actor=actor, page=locked, node=node)
    page.parent_id, page.position, page.title, page.edited_at = (
        locked.parent_id,
        locked.position,
        locked.title,
        locked.edited_at,
    )
    return WikiEdit(revision=revision, moved=moved)


def wiki_page_restore(*, group: Group, actor: Account, page: WikiPage, revision_id: int) -> WikiRevision:
    """Bring back an old revision's title and text, as a new revision (the history keeps everything)."""
    _in_group(group, page)
    viewer = _viewer(actor)
    if not access.can_edit_item(viewer=viewer, group=group, author_id=page.author_id):
        raise PermissionDenied(_("Only the page's author and the group's moderators restore an earlier version."))
    with transaction.atomic():
        locked = WikiPage.objects.select_for_update().filter(pk=page.pk, group=group).first()
        if locked is None:
            raise ValidationError(_("That page is no longer there."))
        node = _node(_tree(group), locked)
        _require_visible(viewer, group, node)
        old = WikiRevision.objects.filter(page=locked, pk=revision_id).first()
        if old is None:
            raise ValidationError(_("That version is not one of this page's."))
        current = current_revision(page=locked)
        if current is not None and (current.pk == old.pk or (current.title, current.body) == (old.title, old.body)):
            raise ValidationError(_("That version's text is the current text already."))
        when = date_format(timezone.localtime(old.created_at), "SHORT_DATETIME_FORMAT")
        note = (_("Restored the version of %(date)s") % {"date": when})[:NOTE_MAX]
        revision = WikiRevision.objects.create(page=locked, title=old.title, body=old.body, author=actor, note=note)
        locked.title, locked.edited_at = old.title, timezone.now()
        locked.save(update_fields=["title", "edited_at", "updated_at"])
        _record_edit(group=group, actor=actor, page=locked, node=node)
    page.title, page.edited_at = locked.title, locked.edited_at
    return revision


def wiki_page_delete(*, group: Group, actor: Account, page: WikiPage) -> int:
    """Delete a page with every page under it (and their revisions); returns how many pages went.
    Their activity lines go too (``signals``)."""
    _in_group(group, page)
    viewer = _viewer(actor)
    if not access.can_edit_item(viewer=viewer, group=group, author_id=page.author_id):
        raise PermissionDenied(_("Only the page's author and the group's moderators delete a page."))
    with transaction.atomic():
        _lock_group(group)
        locked = WikiPage.objects.filter(pk=page.pk, group=group).first()
        if locked is None:
            raise ValidationError(_("That page is no longer there."))
        node = _node(_tree(group), locked)
        _require_visible(viewer, group, node)
        count = 1 + sum(1 for _node_below in node.descendants())
        locked.delete()
    return count
