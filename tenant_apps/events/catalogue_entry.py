"""The events app in the catalogue: the "Events" section (an agenda with registration and iCalendar), the
home's "Upcoming events" block, and example events for the demo organisations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop
from wagtail.models import Page

from sites.catalogue import CatalogueApp, HomeBlock, Section
from tenant_apps.events import selectors
from tenant_apps.events.models import EventIndexPage, EventPage, Registration
from tenant_apps.pages.visibility import viewer_for_user, visible_pages

TITLES = {"nl": "Evenementen", "en": "Events"}
SUMMARIES = {
    "nl": "Bijeenkomsten, trainingen en andere evenementen, met aanmelding.",
    "en": "Meetings, training sessions and other events, with registration.",
}


def section_seed(*, home: Page, language: str) -> Page:
    """The events index under ``home``: live, in the menu, titled in the organisation's language."""
    title = TITLES.get(language) or TITLES["en"]
    intro = SUMMARIES.get(language) or SUMMARIES["en"]
    return home.add_child(
        instance=EventIndexPage(title=title, slug="events", live=True, show_in_menus=True, intro=f"<p>{intro}</p>")
    )


def upcoming_context(*, request: HttpRequest | None, page: Any, value: dict[str, Any]) -> dict[str, Any]:
    """The next visible events (a bounded number of queries: the events, and the first visible index)."""
    viewer = viewer_for_user(getattr(request, "user", None))
    count = int(value.get("count") or 5)
    index = visible_pages(queryset=EventIndexPage.objects.live().public(), viewer=viewer).order_by("path").first()
    return {"events": selectors.upcoming_events(viewer=viewer, count=count), "index": index}


#: (nl title, en title, days ahead, hour, hours long, nl place, en place, capacity, nl summary, en summary)
DEMO_EVENTS = [
    (
        "Kennissessie Wet open overheid",
        "Knowledge session: the Open Government Act",
        7,
        10,
        2,
        "Zaal 2.14, stadskantoor",
        "Room 2.14, city office",
        40,
        "Wat betekent de Woo voor je dagelijkse werk? Met praktijkvoorbeelden en ruimte voor vragen.",
        "What the Open Government Act means for your daily work, with examples and room for questions.",
    ),
    (
        "Nieuwjaarsbijeenkomst",
        "New Year's reception",
        14,
        16,
        2,
        "Atrium, begane grond",
        "Atrium, ground floor",
        None,
        "Proost met collega's op het nieuwe jaar, met een woord van de secretaris.",
        "Raise a glass with colleagues to the new year, with a word from the secretary-general.",
    ),
    (
        "Training veilig e-mailen",
        "Training: safe e-mail",
        21,
        13,
        1,
        "Online (Teams)",
        "Online (Teams)",
        None,
        "Herken phishing en verstuur vertrouwelijke stukken veilig. Online, een uur.",
        "Recognise phishing and send confidential documents safely. Online, one hour.",
    ),
    (
        "Rondleiding archief",
        "Guided tour of the archive",
        28,
        11,
        1,
        "Archief, kelder B",
        "Archive, basement B",
        2,
        "Een kijkje achter de schermen van ons archief, in een kleine groep.",
        "A look behind the scenes of our archive, in a small group.",
    ),
]


def demo_content(*, section: Any, language: str) -> None:
    """Four upcoming events under the section, Dutch or English; the small tour full, with a waiting list
    when the organisation has three or more people."""
    dutch = language == "nl"
    today = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    for title_nl, title_en, days, hour, hours, place_nl, place_en, capacity, summary_nl, summary_en in DEMO_EVENTS:
        start = (today + dt.timedelta(days=days)).replace(hour=hour)
        summary = summary_nl if dutch else summary_en
        event = section.add_child(
            instance=EventPage(
                title=title_nl if dutch else title_en,
                start=start,
                end=start + dt.timedelta(hours=hours),
                location=place_nl if dutch else place_en,
                online_url="https://teams.example/meet/veilig-mailen" if days == 21 else "",
                summary=summary,
                body=f"<p>{summary}</p>",
                capacity=capacity,
                live=True,
            )
        )
        if capacity == 2:
            people = list(get_user_model().objects.filter(is_active=True).order_by("pk")[:3])
            if len(people) == 3:
                for position, person in enumerate(people):
                    Registration.objects.create(
                        event=event,
                        user=person,
                        status="confirmed" if position < 2 else "waiting",
                        created_at=timezone.now() + dt.timedelta(seconds=position),
                    )


APP = CatalogueApp(
    key="events",
    label=gettext_noop("Events"),
    description=gettext_noop("An agenda of events with registration, a waiting list and calendar files."),
    page_types=("org_events.eventindexpage", "org_events.eventpage"),
    section=Section(
        slug="events",
        index_page_type="org_events.eventindexpage",
        titles=TITLES,
        summaries=SUMMARIES,
        seed=section_seed,
    ),
    home_blocks=(
        HomeBlock(
            key="events.upcoming",
            label=gettext_noop("Upcoming events"),
            template="events/blocks/upcoming.html",
            context=upcoming_context,
        ),
    ),
    demo_content=demo_content,
    order=20,
)
