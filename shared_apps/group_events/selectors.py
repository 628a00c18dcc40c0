"""Reads of the events tab, always for a viewer: hidden events for moderators only; lists in a fixed number
of queries (the counts and the viewer's own answer are annotated, never fetched per event)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from shared_apps.group_events.models import EventResponse, GroupEvent
from shared_apps.groups import access
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import Group

Answer = EventResponse.Answer


class EventNotFound(Http404):
    """No such event in this group, or one hidden from the viewer: the same answer for both."""


def events_for_viewer(*, group: Group, viewer: GroupViewer) -> QuerySet[GroupEvent]:
    """The group's events: those not over first (soonest first), then the past ones (latest first).

    Each carries ``attending_count``, ``maybe_count``, ``waiting_count``, ``is_over`` and the viewer's own
    ``my_answer`` and ``my_waiting`` (``None`` when the viewer has not answered).
    """
    now = timezone.now()
    events = (
        GroupEvent.objects.filter(group=group)
        .filter(access.visible_items_condition(viewer=viewer, group=group))
        .select_related("author")
    )
    if viewer.account_id is not None:
        mine = EventResponse.objects.filter(event=OuterRef("pk"), account_id=viewer.account_id)
        events = events.annotate(
            my_answer=Subquery(mine.values("answer")[:1]), my_waiting=Subquery(mine.values("waiting")[:1])
        )
    else:
        events = events.annotate(
            my_answer=Value(None, output_field=CharField()), my_waiting=Value(None, output_field=BooleanField())
        )
    return events.annotate(
        attending_count=Count("responses", filter=Q(responses__answer=Answer.ATTEND, responses__waiting=False)),
        waiting_count=Count("responses", filter=Q(responses__answer=Answer.ATTEND, responses__waiting=True)),
        maybe_count=Count("responses", filter=Q(responses__answer=Answer.MAYBE)),
        is_over=Case(When(ends_at__lte=now, then=Value(1)), default=Value(0), output_field=IntegerField()),
        coming_start=Case(When(ends_at__gt=now, then=F("starts_at"))),
    ).order_by("is_over", F("coming_start").asc(nulls_last=True), "-starts_at", "pk")


def event_for_viewer(*, group: Group, viewer: GroupViewer, event_id: int) -> GroupEvent:
    """One of the group's events as ``events_for_viewer`` gives it; ``EventNotFound`` (a 404) otherwise."""
    event = events_for_viewer(group=group, viewer=viewer).filter(pk=event_id).first()
    if event is None:
        raise EventNotFound("No such event.")
    return event


@dataclass
class Answers:
    """Who answered an event: those attending and those waiting in their order, and the maybes."""

    attending: list[EventResponse] = field(default_factory=list)
    waiting: list[EventResponse] = field(default_factory=list)
    maybe: list[EventResponse] = field(default_factory=list)
    declined: int = 0

    def waiting_position(self, account_id: object) -> int | None:
        """1 for the first on the waiting list; ``None`` for someone not waiting."""
        for position, response in enumerate(self.waiting, start=1):
            if response.account_id == account_id:
                return position
        return None


def answers_of(*, event: GroupEvent) -> Answers:
    """The event's answers with the people who gave them. One query."""
    answers = Answers()
    responses = (
        EventResponse.objects.filter(event=event).select_related("account").order_by("queued_at", "answered_at", "pk")
    )
    for response in responses:
        if response.answer == Answer.ATTEND:
            (answers.waiting if response.waiting else answers.attending).append(response)
        elif response.answer == Answer.MAYBE:
            answers.maybe.append(response)
        else:
            answers.declined += 1
    return answers
