"""The group's activity stream: one line per thing that happened, written by the service that did it."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from shared_apps.accounts.models import Account
from shared_apps.groups import events
from shared_apps.groups.models import Group, GroupActivity


def activity_record(
    *,
    group: Group,
    actor: Account | None,
    verb: str,
    summary: str,
    url: str = "",
    target: models.Model | None = None,
    item: models.Model | None = None,
    mentioned: Iterable[object] = (),
) -> GroupActivity:
    """Add a line to the stream and tell the platform (``events.activity_recorded``).

    ``target`` is what the line tells of and follows (hidden or removed with it: a reply's line tells of
    its discussion); ``item`` the item that is new (the reply itself; ``target`` when not given);
    ``mentioned`` the accounts mentioned in it who may see it (``shared_apps.groups.mentions``)."""
    activity = GroupActivity.objects.create(
        group=group,
        actor=actor,
        verb=verb[:40],
        summary=(summary or "")[:300],
        url=url[:300],
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
    )
    events.activity_recorded.send(
        sender=GroupActivity, activity=activity, item=item if item is not None else target, mentioned=list(mentioned)
    )
    return activity


def _lines_of(target: models.Model) -> models.QuerySet[GroupActivity]:
    return GroupActivity.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)


def activity_forget(*, target: models.Model) -> None:
    """An item was removed: its lines go from the stream too."""
    _lines_of(target).delete()


def activity_hide(*, target: models.Model, hidden: bool) -> None:
    """An item was hidden (or shown again): its lines leave the stream (or come back) with it."""
    _lines_of(target).update(hidden=hidden)
