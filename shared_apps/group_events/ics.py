"""An event as an iCalendar file (RFC 5545), for "add to calendar": built with the kept library ``icalendar``."""

from __future__ import annotations

import datetime as dt
import html

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from icalendar import Calendar, Event

from shared_apps.group_events.models import GroupEvent

PRODID = "-//GovSquare//Group events//EN"


def event_uid(event: GroupEvent) -> str:
    """The same for one event for ever (a calendar updates it on a new download, never doubles it)."""
    return f"group-event-{event.pk}@{settings.PLATFORM_DOMAIN}"


def plain_text(rich: str) -> str:
    """The sanitised HTML of a description as plain text: a line per paragraph or line break."""
    text = (rich or "").replace("<br>", "\n").replace("</p>", "\n\n").replace("</li>", "\n")
    text = html.unescape(strip_tags(text))
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def event_calendar(*, event: GroupEvent, page_url: str) -> bytes:
    """One VEVENT in a VCALENDAR: times in UTC; the place as LOCATION (or the online link when there is no
    place); the online link (or else the event's page) as URL."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    item = Event()
    item.add("uid", event_uid(event))
    item.add("dtstamp", _utc(timezone.now()))
    item.add("dtstart", _utc(event.starts_at))
    item.add("dtend", _utc(event.ends_at))
    item.add("summary", event.title)
    description = plain_text(event.description)
    item.add("description", f"{description}\n\n{page_url}" if description else page_url)
    if event.place or event.online_url:
        item.add("location", event.place or event.online_url)
    item.add("url", event.online_url or page_url)
    item.add("last-modified", _utc(event.updated_at))
    item.add("status", "CONFIRMED")
    calendar.add_component(item)
    return calendar.to_ical()
