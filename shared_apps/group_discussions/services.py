"""Writing in a group's discussions and questions: start, edit and delete them, reply, mark an answer.

Every write asks ``shared_apps.groups.access`` first (``PermissionDenied`` with a reason a person can
read), then checks its input (``ValidationError`` by field), and is done whole or not at all. Member-written
text goes through ``shared_apps.groups.richtext.sanitise``, its @mentions through ``shared_apps.groups.mentions``
(links rendered by the server; only people who may see the item are notified, through the activity line's
``mentioned``). Hiding and removing by moderators is the core's
(``shared_apps.groups.services.moderation``); a moderator's delete here goes through it too (audited, the
item's reports closed).

Activity lines (``reply.created``, ``answer.chosen`` too) tell of the *discussion*: they show its title and
link to it, so they follow it — hidden, shown again or removed with it by the core's moderation.

Mentions: a new discussion or reply notifies the people mentioned in it who may see it (its activity line's
``mentioned``); an edit notifies only the people newly mentioned, with a ``mention.added`` line (none when
no one new is to be notified, nor while the discussion is hidden). The returned item carries
``mentions_refused``: ``(display name, reason)`` for each person mentioned who was not notified, for the
author to be told.
"""

from __future__ import annotations

import html
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account
from shared_apps.group_discussions.models import BODY_MAX, TITLE_MAX, Discussion, Reply
from shared_apps.groups import access
from shared_apps.groups.mentions import mention_check, mention_markup, mentions_in
from shared_apps.groups.models import Group, GroupContent
from shared_apps.groups.services.activity import activity_forget, activity_record
from shared_apps.groups.services.common import refuse
from shared_apps.groups.services.moderation import item_remove

# --- Checks --------------------------------------------------------------------------------------------


def _in_group(group: Group, item: GroupContent) -> None:
    if item.group_id != group.pk:
        raise ValidationError(_("That item is not in this group."))


def _may_write(group: Group, account: Account) -> access.GroupViewer:
    viewer = access.viewer_for_account(account)
    if not access.can_write(viewer=viewer, group=group):
        if group.is_archived:
            raise refuse(_("This group is archived: it is read-only."))
        raise refuse(_("Only the group's members write in it."))
    return viewer


def _may_edit(group: Group, account: Account, item: GroupContent) -> access.GroupViewer:
    viewer = access.viewer_for_account(account)
    if not access.can_edit_item(viewer=viewer, group=group, author_id=item.author_id):
        if group.is_archived:
            raise refuse(_("This group is archived: it is read-only."))
        raise refuse(_("Only its author, and the group's moderators, change or delete it."))
    return viewer


def _visible(viewer: access.GroupViewer, group: Group, *items: GroupContent) -> None:
    """A hidden item is out of everyone's reach but the moderators'."""
    if any(item.is_hidden for item in items) and not access.can_see_hidden_items(viewer=viewer, group=group):
        raise refuse(_("This item has been hidden by the group's moderators."))


def _not_hidden(discussion: Discussion) -> None:
    """Nothing new happens in a hidden discussion (its activity lines are out of the stream while it is)."""
    if discussion.is_hidden:
        raise refuse(_("This discussion has been hidden by the group's moderators."))


def _clean_title(title: str, errors: dict[str, list[str]]) -> str:
    title = " ".join((title or "").replace("\x00", "").split())
    if not title:
        errors.setdefault("title", []).append(_("Give it a title."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(_("Keep the title to %(count)s characters.") % {"count": TITLE_MAX})
    return title


def _clean_body(body: str, errors: dict[str, list[str]], *, empty: str) -> tuple[str, list[UUID]]:
    """The text sanitised with its mentions rendered, and the accounts it mentions."""
    if len(body or "") > BODY_MAX:
        errors.setdefault("body", []).append(_("Keep the text to %(count)s characters.") % {"count": BODY_MAX})
        return "", []
    try:
        marked = mention_markup(text=body)
    except ValidationError as error:
        errors.setdefault("body", []).extend(error.messages)
        return "", []
    if not html.unescape(strip_tags(marked.html)).strip():  # nothing left to read (empty paragraphs are nothing)
        errors.setdefault("body", []).append(empty)
    return marked.html, marked.account_ids


def _mentions_added(
    *, group: Group, actor: Account, discussion: Discussion, item: GroupContent, before: str, mentioned: list[UUID]
) -> list[tuple[str, str]]:
    """An edit: the people newly mentioned in ``item`` who may see it are told (a ``mention.added`` line);
    the refusals are returned. Nobody is told while the discussion is hidden (its lines are out of the stream)."""
    earlier = set(mentions_in(html=before))
    added = [account_id for account_id in mentioned if account_id not in earlier]
    if not added:
        return []
    check = mention_check(item=item, account_ids=added, writer_id=actor.pk)
    if not check.notify:
        return check.refused
    if discussion.is_hidden:
        names = dict(Account.objects.filter(pk__in=check.notify).values_list("pk", "display_name"))
        hidden = _("nobody is notified while the discussion is hidden")
        return check.refused + [(names[account_id], hidden) for account_id in check.notify if account_id in names]
    anchor = f"#reply-{item.pk}" if isinstance(item, Reply) else ""
    activity_record(
        group=group,
        actor=actor,
        verb="mention.added",
        summary=discussion.title,
        url=f"{discussion.url(group_slug=group.slug)}{anchor}",
        target=discussion,
        item=item,
        mentioned=check.notify,
    )
    return check.refused


# --- Discussions and questions -------------------------------------------------------------------------


def discussion_create(*, group: Group, author: Account, kind: str, title: str, body: str) -> Discussion:
    """Start a discussion (or ask a question, ``kind="question"``) in ``group``."""
    if kind not in Discussion.Kind.values:
        raise ValidationError({"kind": [_("Choose a discussion or a question.")]})
    _may_write(group, author)
    errors: dict[str, list[str]] = {}
    title = _clean_title(title, errors)
    body, mentioned = _clean_body(body, errors, empty=_("Write something to start it with."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        discussion = Discussion.objects.create(
            group=group, author=author, kind=kind, title=title, body=body, created_at=now, last_activity_at=now
        )
        check = mention_check(item=discussion, account_ids=mentioned)
        activity_record(
            group=group,
            actor=author,
            verb=f"{kind}.created",
            summary=title,
            url=discussion.url(group_slug=group.slug),
            target=discussion,
            mentioned=check.notify,
        )
    discussion.mentions_refused = check.refused
    return discussion


def discussion_edit(*, group: Group, discussion: Discussion, actor: Account, title: str, body: str) -> Discussion:
    """Change a discussion's title and text: its author (or a moderator); it is marked as edited."""
    _in_group(group, discussion)
    viewer = _may_edit(group, actor, discussion)
    _visible(viewer, group, discussion)
    errors: dict[str, list[str]] = {}
    title = _clean_title(title, errors)
    body, mentioned = _clean_body(body, errors, empty=_("Write something: the text cannot be empty."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = discussion.body
        discussion.title, discussion.body, discussion.edited_at = title, body, timezone.now()
        discussion.save(update_fields=["title", "body", "edited_at", "updated_at"])
        refused = _mentions_added(
            group=group, actor=actor, discussion=discussion, item=discussion, before=before, mentioned=mentioned
        )
    discussion.mentions_refused = refused
    return discussion


def discussion_delete(*, group: Group, discussion: Discussion, actor: Account) -> None:
    """Delete a discussion with its replies: its author, or a moderator (then as the core's "remove")."""
    _in_group(group, discussion)
    viewer = _may_edit(group, actor, discussion)
    _visible(viewer, group, discussion)
    if discussion.author_id != actor.pk:
        item_remove(group=group, actor=actor, item=discussion)
        return
    with transaction.atomic():
        activity_forget(target=discussion)  # its lines and its replies' lines (they tell of the discussion)
        discussion.delete()


# --- Replies -------------------------------------------------------------------------------------------


def reply_create(*, group: Group, discussion: Discussion, author: Account, body: str) -> Reply:
    """Reply to a discussion or a question; the discussion moves to the top of its list."""
    _in_group(group, discussion)
    _may_write(group, author)
    _not_hidden(discussion)
    errors: dict[str, list[str]] = {}
    body, mentioned = _clean_body(body, errors, empty=_("Write something: the reply cannot be empty."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        reply = Reply.objects.create(group=group, discussion=discussion, author=author, body=body, created_at=now)
        Discussion.objects.filter(pk=discussion.pk).update(last_activity_at=now)
        discussion.last_activity_at = now
        check = mention_check(item=reply, account_ids=mentioned)
        activity_record(
            group=group,
            actor=author,
            verb="reply.created",
            summary=discussion.title,
            url=f"{discussion.url(group_slug=group.slug)}#reply-{reply.pk}",
            target=discussion,
            item=reply,
            mentioned=check.notify,
        )
    reply.mentions_refused = check.refused
    return reply


def reply_edit(*, group: Group, reply: Reply, actor: Account, body: str) -> Reply:
    """Change a reply's text: its author (or a moderator); it is marked as edited."""
    _in_group(group, reply)
    viewer = _may_edit(group, actor, reply)
    _visible(viewer, group, reply, reply.discussion)
    errors: dict[str, list[str]] = {}
    body, mentioned = _clean_body(body, errors, empty=_("Write something: the reply cannot be empty."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = reply.body
        reply.body, reply.edited_at = body, timezone.now()
        reply.save(update_fields=["body", "edited_at", "updated_at"])
        refused = _mentions_added(
            group=group, actor=actor, discussion=reply.discussion, item=reply, before=before, mentioned=mentioned
        )
    reply.mentions_refused = refused
    return reply


def reply_delete(*, group: Group, reply: Reply, actor: Account) -> None:
    """Delete a reply: its author, or a moderator (then as the core's "remove"). If it was a question's
    answer, the question has none any more; its discussion's last activity is the reply before it."""
    _in_group(group, reply)
    viewer = _may_edit(group, actor, reply)
    discussion = reply.discussion
    _visible(viewer, group, reply, discussion)
    with transaction.atomic():
        if reply.author_id != actor.pk:
            item_remove(group=group, actor=actor, item=reply)
        else:
            reply.delete()
        latest = Reply.objects.filter(discussion=discussion).aggregate(latest=Max("created_at"))["latest"]
        Discussion.objects.filter(pk=discussion.pk).update(last_activity_at=latest or discussion.created_at)


# --- Answers -------------------------------------------------------------------------------------------


def answer_choose(*, group: Group, discussion: Discussion, actor: Account, reply: Reply | None) -> Discussion:
    """Mark ``reply`` as the question's answer (``None``: it has none): the asker, or a moderator."""
    _in_group(group, discussion)
    if discussion.kind != Discussion.Kind.QUESTION:
        raise ValidationError(_("Only a question has an answer."))
    viewer = access.viewer_for_account(actor)
    if not access.can_edit_item(viewer=viewer, group=group, author_id=discussion.author_id):
        if group.is_archived:
            raise refuse(_("This group is archived: it is read-only."))
        raise refuse(_("Only the person who asked, and the group's moderators, mark the answer."))
    _not_hidden(discussion)
    if reply is not None:
        if reply.discussion_id != discussion.pk:
            raise ValidationError(_("That reply is not one of this question's."))
        if reply.is_hidden:
            raise ValidationError(_("A hidden reply cannot be the answer."))
    with transaction.atomic():
        discussion.answer = reply
        discussion.save(update_fields=["answer", "updated_at"])
        if reply is not None:
            activity_record(
                group=group,
                actor=actor,
                verb="answer.chosen",
                summary=discussion.title,
                url=f"{discussion.url(group_slug=group.slug)}#reply-{reply.pk}",
                target=discussion,
            )
    return discussion
