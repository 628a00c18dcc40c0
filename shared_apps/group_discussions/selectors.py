"""Reads of a group's discussions and questions, for a viewer: hidden items only for the moderators.

The lists carry what their pages show (the author's name, the reply count) in the same query: no query
per item.
"""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from shared_apps.group_discussions.models import Discussion, Reply
from shared_apps.groups import access
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import Group


def _sees_hidden(viewer: GroupViewer, group: Group) -> bool:
    return access.can_moderate(viewer=viewer, group=group)


def discussions_of(*, group: Group, viewer: GroupViewer, kind: str) -> QuerySet[Discussion]:
    """The group's discussions (or questions), newest activity first, each with ``author_name`` and
    ``reply_count`` (the replies the viewer may see)."""
    discussions = Discussion.objects.filter(group=group, kind=kind)
    replies = Q()
    if not _sees_hidden(viewer, group):
        discussions = discussions.filter(hidden_at__isnull=True)
        replies = Q(replies__hidden_at__isnull=True)
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
    if discussion is None or (discussion.is_hidden and not _sees_hidden(viewer, group)):
        raise Http404("No such discussion.")
    discussion.group = group
    return discussion


def replies_of(*, discussion: Discussion, viewer: GroupViewer) -> QuerySet[Reply]:
    """Its replies, oldest first — a question's answer first of all — with their authors."""
    replies = Reply.objects.filter(discussion=discussion).select_related("author")
    if not _sees_hidden(viewer, discussion.group):
        replies = replies.filter(hidden_at__isnull=True)
    if discussion.answer_id is not None:
        answer_first = Case(When(pk=discussion.answer_id, then=Value(0)), default=Value(1), output_field=IntegerField())
        return replies.order_by(answer_first, "created_at", "pk")
    return replies.order_by("created_at", "pk")


def reply_for(*, discussion: Discussion, viewer: GroupViewer, pk: int) -> Reply:
    """One reply of the discussion for the viewer; 404 if it is not there for them."""
    reply = Reply.objects.filter(discussion=discussion, pk=pk).select_related("author").first()
    if reply is None or (reply.is_hidden and not _sees_hidden(viewer, discussion.group)):
        raise Http404("No such reply.")
    reply.discussion = discussion
    return reply
