"""Reads of the events section (never writes). Every listing goes through ``visible_pages``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tenant_apps.events import models as event_models
from tenant_apps.pages.visibility import Viewer, can_view_page, visible_pages


def _confirmed_count() -> Count:
    return Count("registrations", filter=Q(registrations__status="confirmed"))


def visible_events(*, viewer: Viewer) -> QuerySet:
    """The live events the viewer may see, with their number of confirmed places (``confirmed_count``)."""
    events = event_models.EventPage.objects.live().public()
    return visible_pages(queryset=events, viewer=viewer).annotate(confirmed_count=_confirmed_count())


def events_for_index(*, index: Any, viewer: Viewer, past: bool = False) -> QuerySet:
    """The events under ``index`` the viewer may see: upcoming (not begun yet) soonest first, or past
    (begun already) latest first. One query per page of the listing, whatever its length."""
    now = timezone.now()
    events = visible_events(viewer=viewer).child_of(index)
    if past:
        return events.filter(start__lt=now).order_by("-start", "pk")
    return events.filter(start__gte=now).order_by("start", "pk")


#: The agenda feed's upper bound: a calendar client downloads it often.
FEED_MAX = 500


def events_for_feed(*, index: Any, viewer: Viewer) -> list:
    """The upcoming events under ``index`` the viewer may see, for the agenda feed."""
    return list(events_for_index(index=index, viewer=viewer)[:FEED_MAX])


def upcoming_events(*, viewer: Viewer, count: int = 5) -> list:
    """The next ``count`` events of the whole subsite the viewer may see (the home's block)."""
    return list(visible_events(viewer=viewer).filter(start__gte=timezone.now()).order_by("start", "pk")[:count])


def confirmed_count(*, event: Any) -> int:
    return event_models.Registration.objects.filter(event=event, status="confirmed").count()


def places_left(*, event: Any, confirmed: int | None = None) -> int | None:
    """Free places (None: no limit)."""
    if event.capacity is None:
        return None
    taken = confirmed_count(event=event) if confirmed is None else confirmed
    return max(event.capacity - taken, 0)


@dataclass(frozen=True)
class RegistrationState:
    """What the event page shows about registration, for the visitor."""

    signed_in: bool
    may_register: bool  # signed in, registration open, not begun, not registered
    status: str  # "", or the person's registration's status
    waiting_position: int | None  # 1 = next to get a place
    places_left: int | None
    capacity: int | None
    confirmed: int
    waiting: int
    closed_reason: str  # "", "over", "closed"


def waiting_position(*, registration: Any) -> int:
    """1 for the first on the waiting list."""
    ahead = event_models.Registration.objects.filter(event_id=registration.event_id, status="waiting").filter(
        Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def registration_state(*, event: Any, user: Any) -> RegistrationState:
    counts = event_models.Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status="confirmed")), waiting=Count("pk", filter=Q(status="waiting"))
    )
    signed_in = bool(user is not None and user.is_authenticated)
    mine = event_models.Registration.objects.filter(event=event, user=user).first() if signed_in else None
    status = mine.status if mine is not None and mine.status != "cancelled" else ""
    if event.start <= timezone.now():
        closed_reason = "over"
    elif not event.registration_open:
        closed_reason = "closed"
    else:
        closed_reason = ""
    return RegistrationState(
        signed_in=signed_in,
        may_register=signed_in and not status and not closed_reason,
        status=status,
        waiting_position=waiting_position(registration=mine) if status == "waiting" else None,
        places_left=places_left(event=event, confirmed=counts["confirmed"]),
        capacity=event.capacity,
        confirmed=counts["confirmed"],
        waiting=counts["waiting"],
        closed_reason=closed_reason,
    )


def may_register(*, viewer: Viewer, event: Any) -> bool:
    """Who may register: signed in, and may see the event."""
    return viewer.authenticated and can_view_page(viewer=viewer, page=event)


def registrations_for_export(*, user: Any) -> list[dict[str, Any]]:
    """A person's registrations in this organisation, for their personal data export (one query)."""
    rows = event_models.Registration.objects.filter(user=user).select_related("event").order_by("created_at", "pk")
    return [
        {
            "event": row.event.title,
            "start": row.event.start.isoformat(),
            "status": row.status,
            "registered_at": row.created_at.isoformat(),
        }
        for row in rows
    ]
