"""Reads of a group's discussions and questions, for a viewer: hidden items only for the moderators.

The lists carry what their pages show (the author's name, the reply count) in the same query: no query
per item.
"""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When
from django.http import Http404

from shared_apps.group_discussions.models import Discussion, Reply
from shared_apps.groups import access
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import Group


def discussions_of(*, group: Group, viewer: GroupViewer, kind: str) -> QuerySet[Discussion]:
    """The group's discussions (or questions), newest activity first, each with ``author_name`` and
    ``reply_count`` (the replies the viewer may see)."""
    discussions = Discussion.objects.filter(group=group, kind=kind).filter(
        access.visible_items_condition(viewer=viewer, group=group)
    )
    replies = access.visible_items_condition(viewer=viewer, group=group, prefix="replies__")
    return (
        discussions.annotate(author_name=F("author__display_name"), reply_count=Count("replies", filter=replies))
        .defer("body")
        .order_by("-last_activity_at", "-pk")
    )


def discussion_for(*, group: Group, viewer: GroupViewer, kind: str, pk: int) -> Discussion:
    """One discussion of the group for the viewer, with its author and answer; 404 if it is not there for them."""
    discussion = (
        Discussion.objects.filter(group=group, kind=kind, pk=pk)
        .select_related("author", "answer", "answer__author")
        .first()
    )
    if discussion is None or not access.can_see_item(viewer=viewer, group=group, item=discussion):
        raise Http404("No such discussion.")
    discussion.group = group
    return discussion


def replies_of(*, discussion: Discussion, viewer: GroupViewer) -> QuerySet[Reply]:
    """Its replies, oldest first — a question's answer first of all — with their authors."""
    replies = (
        Reply.objects.filter(discussion=discussion)
        .filter(access.visible_items_condition(viewer=viewer, group=discussion.group))
        .select_related("author")
    )
    if discussion.answer_id is not None:
        answer_first = Case(When(pk=discussion.answer_id, then=Value(0)), default=Value(1), output_field=IntegerField())
        return replies.order_by(answer_first, "created_at", "pk")
    return replies.order_by("created_at", "pk")


def reply_for(*, discussion: Discussion, viewer: GroupViewer, pk: int) -> Reply:
    """One reply of the discussion for the viewer; 404 if it is not there for them."""
    reply = Reply.objects.filter(discussion=discussion, pk=pk).select_related("author").first()
    if reply is None or not access.can_see_item(viewer=viewer, group=discussion.group, item=reply):
        raise Http404("No such reply.")
    reply.discussion = discussion
    return reply
