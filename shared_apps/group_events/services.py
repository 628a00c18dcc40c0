"""Writes of the events tab: plan, edit and cancel an event; answer it (attend / maybe / decline).

Places: an event with a ``capacity`` has that many; an "attend" beyond them waits, in the order given.
Whenever a place frees (someone who attends answers maybe or decline, leaves the group, or the places are
raised), the first waiting moves up — in the same transaction, with the event's row locked
(``select_for_update``), so two people answering at once never fill more places than there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account
from shared_apps.group_events.models import EventResponse, GroupEvent
from shared_apps.groups import access
from shared_apps.groups.models import Group
from shared_apps.groups.richtext import sanitise
from shared_apps.groups.services.activity import activity_forget, activity_record
from shared_apps.groups.services.common import actor_of, refuse
from shared_apps.groups.services.moderation import reports_close_for_removed
from tenants.audit import audited

Answer = EventResponse.Answer

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
PLACE_MAX = 200
URL_MAX = 500
CAPACITY_MAX = 100_000

_http_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class EventFields:
    """What a person writes about an event, as the form gives it (validated by ``_cleaned``)."""

    title: str
    description: str
    starts_at: datetime | None
    ends_at: datetime | None
    place: str = ""
    online_url: str = ""
    capacity: int | None = None


def _is_http_url(value: str) -> bool:
    try:
        _http_url(value)
    except ValidationError:
        return False
    return True


def event_url(*, event: GroupEvent, group: Group) -> str:
    """The event's page on the shared space (its URLconf, whichever host the code runs for)."""
    return reverse(
        "group_events:detail",
        kwargs={"slug": group.slug, "event_id": event.pk},
        urlconf=settings.PUBLIC_SCHEMA_URLCONF,
    )


def _one_line(value: str) -> str:
    return " ".join((value or "").replace("\x00", "").split())


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _cleaned(fields: EventFields) -> dict[str, object]:
    """The event's columns from ``fields``; ``ValidationError`` (by field) for anything wrong."""
    errors: dict[str, list[str]] = {}
    title = _one_line(fields.title)
    if not title:
        errors["title"] = [_("Give the event a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Keep the title to %(count)s characters.") % {"count": TITLE_MAX}]
    description = fields.description or ""
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("Keep the description to %(count)s characters.") % {"count": DESCRIPTION_MAX}]
    starts_at, ends_at = _aware(fields.starts_at), _aware(fields.ends_at)
    if starts_at is None:
        errors["starts_at"] = [_("Say when the event starts.")]
    if ends_at is None:
        errors["ends_at"] = [_("Say when the event ends.")]
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("The event must end after it starts.")]
    place = _one_line(fields.place)
    if len(place) > PLACE_MAX:
        errors["place"] = [_("Keep the place to %(count)s characters.") % {"count": PLACE_MAX}]
    online_url = (fields.online_url or "").replace("\x00", "").strip()
    if online_url and (len(online_url) > URL_MAX or not _is_http_url(online_url)):
        errors["online_url"] = [
            _("Give the online link as a web address that starts with https:// (at most %(count)s characters).")
            % {"count": URL_MAX}
        ]
    if not place and not online_url and "place" not in errors and "online_url" not in errors:
        errors["place"] = [_("Say where the event takes place, or give its online link (or both).")]
    capacity = fields.capacity
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        errors["capacity"] = [
            _("Give the number of places as a whole number from 1 to %(max)s, or leave it empty for no limit.")
            % {"max": CAPACITY_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": sanitise(description),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "online_url": online_url,
        "capacity": capacity,
    }


def _refuse_unless_writer(viewer: access.GroupViewer, group: Group) -> None:
    if group.is_archived:
        raise refuse(_("This group is archived: it can be read, not changed."))
    if not access.can_write(viewer=viewer, group=group):
        raise refuse(_("Only the group's members plan and answer its events."))


# --- Events -------------------------------------------------------------------------------------------


def event_create(*, group: Group, author: Account, fields: EventFields) -> GroupEvent:
    """A member plans an event (it may not be over already); the group's activity says so."""
    _refuse_unless_writer(access.viewer_for_account(author), group)
    values = _cleaned(fields)
    if values["ends_at"] <= timezone.now():  # type: ignore[operator]
        raise ValidationError({"ends_at": [_("That event would be over already: check the dates.")]})
    with transaction.atomic():
        event = GroupEvent.objects.create(group=group, author=author, **values)
        activity_record(
            group=group,
            actor=author,
            verb="event.created",
            summary=event.title,
            url=event_url(event=event, group=group),
            target=event,
        )
    return event


def event_update(*, event: GroupEvent, actor: Account, fields: EventFields) -> GroupEvent:
    """Its author (while a member of the active group) or a moderator changes an event. The places may not
    drop below the people attending; more places let the waiting list move up at once."""
    group = event.group
    if not access.can_edit_item(viewer=access.viewer_for_account(actor), group=group, author_id=event.author_id):
        raise refuse(_("Only the event's author and the group's moderators change it."))
    values = _cleaned(fields)
    with transaction.atomic():
        locked = _locked(event)
        attending = _attending_count(locked)
        capacity = values["capacity"]
        if capacity is not None and capacity < attending:  # type: ignore[operator]
            raise ValidationError(
                {
                    "capacity": [
                        _("%(count)s people attend already: give at least as many places.") % {"count": attending}
                    ]
                }
            )
        for name, value in values.items():
            setattr(locked, name, value)
        locked.edited_at = timezone.now()
        locked.save()
        _fill_places(locked)
    return locked


def event_cancel(*, event: GroupEvent, actor: Account) -> None:
    """Its author or a moderator cancels an event: it goes, with its answers and its line in the activity."""
    group = event.group
    if not access.can_edit_item(viewer=access.viewer_for_account(actor), group=group, author_id=event.author_id):
        raise refuse(_("Only the event's author and the group's moderators cancel it."))
    with audited(
        actor=actor_of(actor), action="group.event.cancel", group=group.slug, event=event.pk, title=event.title[:200]
    ):
        with transaction.atomic():
            locked = _locked(event)
            reports_close_for_removed(item=locked)
            activity_forget(target=locked)
            locked.delete()


# --- Answers and the waiting list --------------------------------------------------------------------


def _locked(event: GroupEvent) -> GroupEvent:
    """The event's row, locked until the transaction ends: one change of its places at a time."""
    locked = GroupEvent.objects.select_for_update().filter(pk=event.pk).first()  # the event's row only
    if locked is None:
        raise ValidationError(_("That event has been cancelled."))
    locked.group = event.group
    return locked


def _attending_count(event: GroupEvent) -> int:
    return EventResponse.objects.filter(event=event, answer=Answer.ATTEND, waiting=False).count()


def _fill_places(event: GroupEvent) -> list[int]:
    """Move the first waiting up into the free places (the event's row is locked). The ids moved up."""
    waiting = EventResponse.objects.filter(event=event, answer=Answer.ATTEND, waiting=True).order_by("queued_at", "pk")
    if event.capacity is None:
        moved = list(waiting.values_list("pk", flat=True))
    else:
        free = event.capacity - _attending_count(event)
        moved = list(waiting.values_list("pk", flat=True)[:free]) if free > 0 else []
    if moved:
        EventResponse.objects.filter(pk__in=moved).update(waiting=False)
    return moved


def event_respond(*, event: GroupEvent, account: Account, answer: str) -> EventResponse:
    """A member answers an event, or changes the answer. "attend" takes a free place or joins the end of
    the waiting list (an "attend" given again keeps its place); leaving a place lets the first waiting up."""
    group = event.group
    viewer = access.viewer_for_account(account)
    _refuse_unless_writer(viewer, group)
    if answer not in Answer.values:
        raise ValidationError({"answer": [_("Answer attend, maybe or decline.")]})
    with transaction.atomic():
        locked = _locked(event)
        if locked.is_hidden and not access.can_see_hidden_items(viewer=viewer, group=group):
            raise ValidationError(_("That event has been hidden by the group's moderators."))
        now = timezone.now()
        if locked.ends_at <= now:
            raise ValidationError(_("This event is over: it takes no more answers."))
        response = EventResponse.objects.filter(event=locked, account=account).first()
        if response is not None and response.answer == answer:
            return response
        if response is None:
            response = EventResponse(event=locked, account=account)
        response.answer, response.answered_at = answer, now
        if answer == Answer.ATTEND:
            response.waiting, response.queued_at = True, now  # at the end of the queue; _fill_places decides
        else:
            response.waiting, response.queued_at = False, None
        response.save()
        if response.pk in _fill_places(locked):
            response.waiting = False
    return response


def responses_withdraw_for_leaving_member(*, group_id: int, account_id: object) -> None:
    """Someone leaves a group (or is removed, or their account goes): their answers to its events that are
    not over are withdrawn, and their places go to the first waiting. No access check: the caller decided."""
    event_ids = sorted(
        EventResponse.objects.filter(
            account_id=account_id, event__group_id=group_id, event__ends_at__gt=timezone.now()
        ).values_list("event_id", flat=True)
    )
    if not event_ids:
        return
    with transaction.atomic():
        for event in GroupEvent.objects.select_for_update().filter(pk__in=event_ids).order_by("pk"):
            EventResponse.objects.filter(event=event, account_id=account_id).delete()
            _fill_places(event)
