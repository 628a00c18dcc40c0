"""Events as iCalendar (RFC 5545) with the ``icalendar`` library: one event ("add to calendar") or the agenda.

As ``shared_apps.group_events.ics``: times in UTC, a UID stable per event (``event-<schema>-<pk>@<domain>``, so
a calendar updates an event on a new download and never doubles it), the description as plain text.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.html import strip_tags
from icalendar import Calendar, Event

PRODID = "-//GovSquare//Events//EN"


def event_uid(event: Any) -> str:
    return f"event-{connection.schema_name}-{event.pk}@{settings.PLATFORM_DOMAIN}"


def plain_text(rich: str) -> str:
    """Rich text as plain text: a line per paragraph or line break."""
    text = (rich or "").replace("<br>", "\n").replace("<br/>", "\n").replace("</p>", "\n\n").replace("</li>", "\n")
    text = html.unescape(strip_tags(text))
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _calendar(name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _vevent(*, event: Any, page_url: str, stamp: dt.datetime) -> Event:
    item = Event()
    item.add("uid", event_uid(event))
    item.add("dtstamp", stamp)
    item.add("dtstart", _utc(event.start))
    item.add("dtend", _utc(event.end))
    item.add("summary", event.title)
    text = "\n\n".join(part for part in (event.summary, plain_text(event.body)) if part)
    item.add("description", f"{text}\n\n{page_url}" if text else page_url)
    if event.location or event.online_url:
        item.add("location", event.location or event.online_url)
    item.add("url", event.online_url or page_url)
    if event.last_published_at:
        item.add("last-modified", _utc(event.last_published_at))
    item.add("status", "CONFIRMED")
    return item


def event_calendar(*, event: Any, page_url: str) -> bytes:
    """One VEVENT in a VCALENDAR."""
    calendar = _calendar()
    calendar.add_component(_vevent(event=event, page_url=page_url, stamp=_utc(timezone.now())))
    return calendar.to_ical()


def agenda_calendar(*, events: Iterable[Any], name: str, page_url: Callable[[Any], str]) -> bytes:
    """Every event given, one VEVENT each, in one VCALENDAR named ``name``."""
    calendar = _calendar(name)
    stamp = _utc(timezone.now())
    for event in events:
        calendar.add_component(_vevent(event=event, page_url=page_url(event), stamp=stamp))
    return calendar.to_ical()
