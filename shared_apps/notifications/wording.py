"""How a notification reads, worded when it is shown or mailed (in the reader's language, not the writer's)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.notifications.models import Notification

#: What happened, by the activity's verb (the same words as the group's activity stream).
ACTIONS: dict[str, Promise] = {
    "discussion.created": gettext_lazy("started a discussion"),
    "question.created": gettext_lazy("asked a question"),
    "reply.created": gettext_lazy("replied to"),
    "answer.chosen": gettext_lazy("marked an answer to"),
    "event.created": gettext_lazy("planned an event"),
    "file.uploaded": gettext_lazy("uploaded a file"),
    "folder.created": gettext_lazy("made a folder"),
    "wiki.created": gettext_lazy("wrote a wiki page"),
    "wiki.edited": gettext_lazy("edited a wiki page"),
}


def actor_name(notification: Notification) -> str:
    actor = notification.actor
    return actor.display_name if actor is not None else _("Former user")


def describe(notification: Notification) -> str:
    """One sentence: who did what, and to what."""
    words = {"actor": actor_name(notification), "title": notification.text}
    kind = notification.kind
    if kind == Notification.Kind.REPLY:
        return _("%(actor)s replied to your post “%(title)s”") % words
    if kind == Notification.Kind.MENTION:
        return _("%(actor)s mentioned you in “%(title)s”") % words
    if kind == Notification.Kind.INVITATION:
        return _("%(actor)s invited you to the group %(title)s") % words
    if kind == Notification.Kind.JOIN_REQUEST:
        return _("%(actor)s asks to join the group %(title)s") % words
    action = ACTIONS.get(notification.verb)
    if action is None:
        return _("%(actor)s: “%(title)s”") % words
    return _("%(actor)s %(action)s “%(title)s”") % {**words, "action": action}
