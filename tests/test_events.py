"""The events app (tenant_apps/events): the agenda and its events per viewer, registration with a
waiting list and the mail to whoever is moved up, iCalendar files, the catalogue entry, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from django_tenants.utils import tenant_context
from icalendar import Calendar
from wagtail.models import Site

from sites import catalogue
from tenant_apps.events import catalogue_entry, selectors, services, tasks
from tenant_apps.events.models import EventIndexPage, EventPage, Registration
from tenant_apps.events.selectors import registration_state
from tests.harness.clients import client_for
from tests.visibility_support import recognise_org_b_staff_as_civil_servants

pytestmark = pytest.mark.django_db

#: Until the subsites' URLs include the events' calendar addresses (``tenant_apps.events.urls``), the tests
#: serve them through this module: the events' URLs, then the subsites' own.
urlpatterns = [path("", include("tenant_apps.events.urls")), path("", include("govsquare.urls_tenants"))]

VIEWERS = ["a_member", "b_member", "citizen", "anonymous"]
#: viewer -> the levels they may see on org A (b_member is a civil servant of org B here)
MAY_SEE = {
    "a_member": {"organisation", "civil_servants", "public"},
    "b_member": {"civil_servants", "public"},
    "citizen": {"public"},
    "anonymous": {"public"},
}
LEVELS = ["organisation", "civil_servants", "public"]


@pytest.fixture(autouse=True)
def _calendar_addresses(settings):  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "tests.test_events"


def _client(world, viewer: str):  # type: ignore[no-untyped-def]
    person = None if viewer == "anonymous" else world.people[viewer]
    return client_for(world.org_a, person=person)


def _event(index, *, slug: str, title: str, days: float = 7, **fields) -> EventPage:  # type: ignore[no-untyped-def]
    start = timezone.now() + dt.timedelta(days=days)
    fields.setdefault("end", start + dt.timedelta(hours=2))
    return index.add_child(
        instance=EventPage(title=title, slug=slug, start=start, summary=f"About {title}", location="Room 1", **fields)
    )


@pytest.fixture
def agenda(world):  # type: ignore[no-untyped-def]
    """Org A: a public agenda with one upcoming event per level and one past public event."""
    recognise_org_b_staff_as_civil_servants(world)
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        index = home.add_child(instance=EventIndexPage(title="Agenda", slug="agenda", visibility="public"))
        for level in LEVELS:
            _event(index, slug=f"event-{level}", title=f"Secret {level} event", visibility=level)
        _event(index, slug="past-public", title="Past public event", days=-7, visibility="public")
    return world


# --- Visibility per viewer --------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_index_lists_only_the_upcoming_events_the_viewer_may_see(agenda, viewer):
    response = _client(agenda, viewer).get("/agenda/")
    assert response.status_code == 200
    for level in LEVELS:
        assert (f"Secret {level} event".encode() in response.content) == (level in MAY_SEE[viewer])
    assert b"Past public event" not in response.content
    past = _client(agenda, viewer).get("/agenda/?past=1")
    assert b"Past public event" in past.content and b"Secret" not in past.content


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("viewer", VIEWERS)
def test_event_page_and_its_calendar_file_per_viewer(agenda, viewer, level):
    client = _client(agenda, viewer)
    for address in (f"/agenda/event-{level}/", f"/agenda/event-{level}/event.ics"):
        response = client.get(address)
        if level in MAY_SEE[viewer]:
            assert response.status_code == 200, address
            assert f"Secret {level} event".encode() in response.content
        elif viewer == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 403
            assert b"Secret" not in response.content


@pytest.mark.parametrize("viewer", VIEWERS)
def test_agenda_feed_holds_the_visible_upcoming_events(agenda, viewer):
    response = _client(agenda, viewer).get("/agenda/agenda.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = {str(item["summary"]) for item in calendar.walk("VEVENT")}
    assert summaries == {f"Secret {level} event" for level in MAY_SEE[viewer]}
    if viewer == "anonymous":
        assert "private" not in response.get("Cache-Control", "")
    else:
        assert "private" in response["Cache-Control"]


def test_an_organisation_only_agenda_is_closed_to_outsiders(world):
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        index = home.add_child(instance=EventIndexPage(title="Staff agenda", slug="staff-agenda"))
        _event(index, slug="staff-event", title="Staff event")
    assert b"Staff event" in _client(world, "a_member").get("/staff-agenda/agenda.ics").content
    assert _client(world, "b_member").get("/staff-agenda/agenda.ics").status_code == 403
    assert _client(world, "anonymous").get("/staff-agenda/agenda.ics").status_code == 302
    # and from the other organisation: org A's member is an outsider on org B's events section
    assert client_for(world.org_b, person=world.a_member).get("/events/").status_code == 403


def test_calendar_file_content(agenda):
    response = _client(agenda, "a_member").get("/agenda/event-public/event.ics")
    assert "attachment" in response["Content-Disposition"]
    (item,) = Calendar.from_ical(response.content).walk("VEVENT")
    with tenant_context(agenda.org_a):
        event = EventPage.objects.get(slug="event-public")
    assert (
        str(item["uid"]) == f"event-{agenda.org_a.schema_name}-{event.pk}@{agenda.org_a.platform_host.split('.', 1)[1]}"
    )
    assert item.decoded("dtstart") == event.start.astimezone(dt.UTC).replace(microsecond=0)
    assert item.decoded("dtstart").tzinfo is not None and item["dtstart"].to_ical().endswith(b"Z")
    assert str(item["location"]) == "Room 1"
    assert str(item["url"]).endswith("/agenda/event-public/")
    assert "About Secret public event" in str(item["description"])
    again = Calendar.from_ical(_client(agenda, "a_member").get("/agenda/event-public/event.ics").content)
    assert str(again.walk("VEVENT")[0]["uid"]) == str(item["uid"])  # stable


# --- Registration -----------------------------------------------------------------------------------


def _users(world, *keys: str):  # type: ignore[no-untyped-def]
    return [world.people[key].local_user(world.org_a) for key in keys]


def test_capacity_waiting_list_and_promotion_with_the_mail(agenda, monkeypatch, django_capture_on_commit_callbacks):
    member, editor, admin, both = _users(agenda, "a_member", "a_editor", "a_admin", "a_editor_b_member")
    admin_account = agenda.a_admin.account
    admin_account.language = "en"
    admin_account.save(update_fields=["language"])
    queued: list[dict] = []
    monkeypatch.setattr(tasks.place_offered_mail_send, "delay", lambda **kwargs: queued.append(kwargs))
    with tenant_context(agenda.org_a):
        index = EventIndexPage.objects.get(slug="agenda")
        event = _event(index, slug="small", title="Small tour", capacity=2)
        statuses = [
            services.registration_create(event=event, user=user).status for user in (member, editor, admin, both)
        ]
        assert statuses == ["confirmed", "confirmed", "waiting", "waiting"]
        assert registration_state(event=event, user=admin).waiting_position == 1
        assert registration_state(event=event, user=both).waiting_position == 2
        assert registration_state(event=event, user=member).places_left == 0

        with django_capture_on_commit_callbacks(execute=True):
            services.registration_cancel(event=event, user=member)
        assert Registration.objects.get(event=event, user=admin).status == "confirmed"
        assert Registration.objects.get(event=event, user=both).status == "waiting"
        assert registration_state(event=event, user=both).waiting_position == 1
        assert Registration.objects.get(event=event, user=member).status == "cancelled"
        registration_id = Registration.objects.get(event=event, user=admin).pk
    assert queued == [{"schema_name": agenda.org_a.schema_name, "registration_id": registration_id}]

    mail.outbox.clear()
    assert tasks.place_offered_mail_send(**queued[0]) == "sent"
    (message,) = mail.outbox
    assert message.to == [agenda.a_admin.email]
    assert message.subject == "You have a place at Small tour"
    assert f"http://{agenda.org_a.platform_host}" in message.body and "/agenda/small/" in message.body

    with tenant_context(agenda.org_a):
        # a waiting person who leaves frees nothing: nobody is moved up, nobody is mailed
        with django_capture_on_commit_callbacks(execute=True):
            services.registration_cancel(event=event, user=both)
        # registering again after cancelling takes the end of the queue
        assert services.registration_create(event=event, user=member).status == "waiting"
    assert len(queued) == 1


def test_the_place_is_taken_under_a_lock_on_the_event_row(agenda):
    (member,) = _users(agenda, "a_member")
    with tenant_context(agenda.org_a):
        event = _event(EventIndexPage.objects.get(slug="agenda"), slug="locked", title="Locked", capacity=1)
        with CaptureQueriesContext(connection) as queries:
            services.registration_create(event=event, user=member)
    sql = [query["sql"] for query in queries.captured_queries]
    lock = next(i for i, statement in enumerate(sql) if "FOR UPDATE" in statement)
    count = next(
        i for i, statement in enumerate(sql) if "COUNT(" in statement and "org_events_registration" in statement
    )
    insert = next(
        i
        for i, statement in enumerate(sql)
        if statement.startswith("INSERT") and "org_events_registration" in statement
    )
    assert lock < count < insert
    assert 'FOR UPDATE OF "org_events_eventpage"' in sql[lock]


def test_who_may_register_and_the_errors(agenda):
    member, b_member, citizen = _users(agenda, "a_member", "b_member", "citizen")
    with tenant_context(agenda.org_a):
        org_event = EventPage.objects.get(slug="event-organisation")
        public_event = EventPage.objects.get(slug="event-public")
        with pytest.raises(PermissionDenied):
            services.registration_create(event=org_event, user=b_member)  # from the other organisation
        assert services.registration_create(event=public_event, user=citizen).status == "confirmed"
        services.registration_create(event=org_event, user=member)
        with pytest.raises(ValidationError, match="already"):
            services.registration_create(event=org_event, user=member)
        with pytest.raises(ValidationError, match="begun or is over"):
            services.registration_create(event=EventPage.objects.get(slug="past-public"), user=member)
        EventPage.objects.filter(pk=public_event.pk).update(registration_open=False)
        public_event.refresh_from_db()
        with pytest.raises(ValidationError, match="closed"):
            services.registration_create(event=public_event, user=member)
        with pytest.raises(ValidationError, match="not registered"):
            services.registration_cancel(event=public_event, user=member)
        assert not Registration.objects.filter(event=public_event, user=member).exists()


def test_registering_through_the_page(agenda):
    member = _client(agenda, "a_member")
    assert member.get("/agenda/event-organisation/register/").status_code == 405
    response = member.post("/agenda/event-organisation/register/")
    assert response.status_code == 302 and response["Location"].endswith("/agenda/event-organisation/#registration")
    page = member.get("/agenda/event-organisation/")
    assert b"You are registered" in page.content and b"Cancel my registration" in page.content
    again = member.post("/agenda/event-organisation/register/")
    assert again.status_code == 400 and b"already" in again.content
    assert member.post("/agenda/event-organisation/cancel/").status_code == 302
    # the other organisation's member and anonymous visitors cannot
    assert _client(agenda, "b_member").post("/agenda/event-organisation/register/").status_code == 403
    anonymous = _client(agenda, "anonymous").post("/agenda/event-public/register/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    with tenant_context(agenda.org_a):
        assert Registration.objects.filter(status="confirmed").count() == 0


def test_the_page_shows_places_left_and_the_waiting_position(agenda):
    member, editor = _users(agenda, "a_member", "a_editor")
    with tenant_context(agenda.org_a):
        event = _event(EventIndexPage.objects.get(slug="agenda"), slug="one-place", title="One place", capacity=1)
    assert b"1 place left" in _client(agenda, "a_member").get("/agenda/one-place/").content
    with tenant_context(agenda.org_a):
        services.registration_create(event=event, user=member)
        services.registration_create(event=event, user=editor)
    page = _client(agenda, "a_editor").get("/agenda/one-place/").content
    assert b"waiting list, number 1" in page and b"Full" in page


def test_end_before_start_is_refused_on_the_field(world):
    with tenant_context(world.org_a):
        index = Site.objects.get().root_page.get_children().type(EventIndexPage).first()
        start = timezone.now() + dt.timedelta(days=3)
        with pytest.raises(ValidationError) as refused:
            index.add_child(
                instance=EventPage(title="Backwards", slug="backwards", start=start, end=start - dt.timedelta(hours=1))
            )
        assert "end" in refused.value.message_dict
        assert not EventPage.objects.filter(slug="backwards").exists()


# --- Catalogue, home block, demo ------------------------------------------------------------------------


def test_the_catalogue_entry_and_the_seeded_section(world):
    app = catalogue.catalogue_app("events")
    assert app.order == 20 and app.section.slug == "events"
    assert [block.key for block in app.home_blocks] == ["events.upcoming"]
    with tenant_context(world.org_a):
        index = Site.objects.get().root_page.get_children().type(EventIndexPage).get().specific
        assert index.live and index.show_in_menus and index.title in ("Evenementen", "Events")


def test_home_block_lists_the_next_visible_events(agenda):
    for viewer in ("a_member", "citizen"):
        with tenant_context(agenda.org_a):
            request = type("Request", (), {"user": agenda.people[viewer].local_user(agenda.org_a)})()
            context = catalogue_entry.upcoming_context(request=request, page=None, value={"count": 5})
        titles = {event.title for event in context["events"]}
        assert titles == {f"Secret {level} event" for level in MAY_SEE[viewer]}
    home = _client(agenda, "a_member").get("/")
    assert home.status_code == 200 and b"Secret organisation event" in home.content


def test_demo_content(world):
    with tenant_context(world.org_a):
        section = Site.objects.get().root_page.add_child(instance=EventIndexPage(title="Demo", slug="demo-events"))
        catalogue_entry.demo_content(section=section, language="en")
        events = EventPage.objects.child_of(section)
        assert events.count() == 4 and all(event.start > timezone.now() for event in events)


# --- Bounded queries --------------------------------------------------------------------------------------


def _queries(client, address: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("address", ["/many/", "/many/agenda.ics"])
def test_listing_queries_do_not_grow_with_the_number_of_events(world, address):
    (member,) = _users(world, "a_member")
    counts = []
    with tenant_context(world.org_a):
        index = Site.objects.get().root_page.add_child(
            instance=EventIndexPage(title="Many", slug="many", visibility="public")
        )
    for total in (3, 9):
        with tenant_context(world.org_a):
            while EventPage.objects.child_of(index).count() < total:
                number = EventPage.objects.child_of(index).count()
                event = _event(index, slug=f"many-{number}", title=f"Many {number}", capacity=5, days=number + 1)
                services.registration_create(event=event, user=member)
        client = _client(world, "a_member")
        _queries(client, address)  # warm: the site's root paths and the like
        counts.append(_queries(client, address))
    assert counts[0] == counts[1]


def test_home_block_queries_do_not_grow_with_the_number_of_events(world):
    (member,) = _users(world, "a_member")
    counts = []
    with tenant_context(world.org_a):
        index = Site.objects.get().root_page.add_child(instance=EventIndexPage(title="Block", slug="block"))
        request = type("Request", (), {"user": member})()
        for total in (3, 9):
            while EventPage.objects.child_of(index).count() < total:
                number = EventPage.objects.child_of(index).count()
                _event(index, slug=f"block-{number}", title=f"Block {number}", days=number + 1)
            catalogue_entry.upcoming_context(request=request, page=None, value={"count": 20})  # warm
            with CaptureQueriesContext(connection) as queries:
                context = catalogue_entry.upcoming_context(request=request, page=None, value={"count": 20})
            assert len(context["events"]) >= total
            counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_registrations_for_the_personal_data_export(agenda):
    (member,) = _users(agenda, "a_member")
    with tenant_context(agenda.org_a):
        services.registration_create(event=EventPage.objects.get(slug="event-public"), user=member)
        (row,) = selectors.registrations_for_export(user=member)
    assert row["event"] == "Secret public event" and row["status"] == "confirmed"


def test_dates_in_the_visitors_language_with_machine_readable_times(agenda):
    client = _client(agenda, "a_member")
    for address in ("/agenda/", "/agenda/event-public/"):
        page = client.get(address, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
        assert '<time datetime="20' in page
    with tenant_context(agenda.org_a):
        section = Site.objects.get().root_page.add_child(instance=EventIndexPage(title="Demo nl", slug="demo-nl"))
        catalogue_entry.demo_content(section=section, language="nl")
        assert EventPage.objects.child_of(section).filter(title="Nieuwjaarsbijeenkomst").exists()


def test_an_event_page_issues_the_same_queries_for_n_and_3n_registrations(world, django_user_model):
    """The event page counts places and finds the viewer's own registration: never a query per registration."""
    (member,) = _users(world, "a_member")
    with tenant_context(world.org_a):
        index = Site.objects.get().root_page.add_child(
            instance=EventIndexPage(title="Crowded", slug="crowded", visibility="public")
        )
        event = _event(index, slug="crowded-event", title="Crowded event", capacity=4, visibility="public")
        services.registration_create(event=event, user=member)
    client = _client(world, "a_member")
    counts = []
    for total in (3, 9):
        with tenant_context(world.org_a):
            while event.registrations.count() < total:
                number = event.registrations.count()
                user = django_user_model.objects.create(email=f"crowd-{number}@crowd.example")
                services.registration_create(event=event, user=user)
        _queries(client, "/crowded/crowded-event/")
        counts.append(_queries(client, "/crowded/crowded-event/"))
    assert counts[0] == counts[1]
