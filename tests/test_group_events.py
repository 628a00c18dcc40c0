"""The events tab of a group: plan, answer (with a waiting list), edit, cancel, moderate, add to calendar —
from every kind of viewer ("and from the other organisation?", "and as a citizen?").

Longer than ~500 lines on purpose: one module per tab (tests/test_group_<tab>.py), and the tab's rules are
tested from every kind of viewer, plus a race of real concurrent transactions at the end.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from icalendar import Calendar

from shared_apps.group_events.models import EventResponse, GroupEvent
from shared_apps.group_events.services import EventFields, event_create, event_respond, event_update
from shared_apps.groups.models import Group, GroupActivity, GroupMembership, GroupReport
from shared_apps.groups.services import memberships
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

ATTEND, MAYBE, DECLINE = "attend", "maybe", "decline"


def _local(days: int = 7, hour: int = 10) -> str:
    """A datetime-local value (the platform's time zone), ``days`` from now."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Open data meetup",
        "description": "<p>Bring <strong>questions</strong><script>alert(1)</script></p>",
        "starts_at": _local(hour=10),
        "ends_at": _local(hour=12),
        "place": "Town hall, room 3",
        "online_url": "https://meet.example/open-data",
        "capacity": "",
    }
    data.update(overrides)
    return data


def _event(group: Group, author, *, capacity: int | None = None, days: int = 7, title: str = "Meetup") -> GroupEvent:  # type: ignore[no-untyped-def]
    start = timezone.now() + dt.timedelta(days=days)
    return event_create(
        group=group,
        author=author.account,
        fields=EventFields(
            title=title,
            description="<p>About it.</p>",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            place="Room 1",
            capacity=capacity,
        ),
    )


def _url(group: Group, path: str = "") -> str:
    return f"/groups/{group.slug}/events/{path}"


def _state(event: GroupEvent) -> tuple[list[str], list[str]]:
    """Who attends (by e-mail, in order of their place) and who waits (in the waiting list's order)."""
    responses = EventResponse.objects.filter(event=event, answer=ATTEND).select_related("account")
    ordered = responses.order_by("queued_at", "pk")
    return (
        [r.account.email for r in ordered if not r.waiting],
        [r.account.email for r in ordered if r.waiting],
    )


def _people(count: int, prefix: str = "p") -> list:  # type: ignore[type-arg]
    return [make_person(key=f"{prefix}{n}", email=f"{prefix}{n}@org-a.example", roles={}) for n in range(count)]


# --- Members write and read; the other organisation; citizens -------------------------------------------------


def test_a_member_of_the_other_organisation_plans_an_event_and_members_read_it(civil_servants, make_group):
    owner, planner = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(planner,), visibility="closed")
    client = civil_servants.client(planner)
    assert client.get(_url(group, "new/")).status_code == 200
    response = client.post(_url(group, "new/"), _form())
    event = GroupEvent.objects.get(group=group)
    assert response.status_code == 302 and response["Location"] == _url(group, f"{event.pk}/")
    assert event.author == planner.account and "<script>" not in event.description
    assert "<strong>questions</strong>" in event.description
    # Entered in the platform's time zone, kept as an instant.
    expected = dt.datetime.fromisoformat(_local(hour=10)).replace(tzinfo=timezone.get_current_timezone())
    assert event.starts_at == expected
    line = GroupActivity.objects.get(group=group, verb="event.created")
    assert (
        line.summary == "Open data meetup" and line.url == _url(group, f"{event.pk}/") and line.actor == planner.account
    )
    reader = civil_servants.client(owner)
    listing = reader.get(_url(group)).content.decode()
    assert "Open data meetup" in listing and "Town hall, room 3" in listing
    page = reader.get(_url(group, f"{event.pk}/")).content.decode()
    assert page.count("<h1") == 1 and "<strong>questions</strong>" in page and "alert(1)" not in page
    assert "planned an event" in reader.get(f"/groups/{group.slug}/activity/").content.decode()


def test_a_citizen_member_plans_and_answers_and_a_citizen_outsider_is_refused(civil_servants, make_group):
    owner, citizen = civil_servants.a_member, civil_servants.citizen
    mixed = make_group(owner, name="Neighbourhood", members=(citizen,), audience="everyone", visibility="closed")
    client = civil_servants.client(citizen)
    assert client.post(_url(mixed, "new/"), _form(capacity="10")).status_code == 302
    event = GroupEvent.objects.get(group=mixed)
    assert client.post(_url(mixed, f"{event.pk}/answer/"), {"answer": ATTEND}).status_code == 302
    assert _state(event) == ([citizen.email], [])
    page = client.get(_url(mixed, f"{event.pk}/")).content.decode()
    assert "You attend." in page and "1 attending" in page
    # A group for civil servants: a citizen who is not in it does not even see it.
    servants = make_group(owner, name="Servants only")
    servants_event = _event(servants, owner)
    for path in ("", f"{servants_event.pk}/", f"{servants_event.pk}/calendar.ics", "new/"):
        assert client.get(_url(servants, path)).status_code == 404, path
    assert client.post(_url(servants, f"{servants_event.pk}/answer/"), {"answer": ATTEND}).status_code == 404
    assert not EventResponse.objects.filter(event=servants_event).exists()


def test_a_third_organisation_outside_a_closed_or_hidden_group_cannot_read_its_events(
    civil_servants, make_group, c_member
):
    owner = civil_servants.a_member
    closed = make_group(owner, name="Closed", visibility="closed")
    hidden = make_group(owner, name="Hidden", visibility="hidden", joining="invitation")
    closed_event, hidden_event = _event(closed, owner), _event(hidden, owner)
    outsider = civil_servants.client(c_member)
    for path in ("", f"{closed_event.pk}/", f"{closed_event.pk}/calendar.ics"):
        response = outsider.get(_url(closed, path))
        assert response.status_code == 403 and not response["Content-Type"].startswith("text/calendar"), path
        assert b"BEGIN:VCALENDAR" not in response.content
    assert outsider.post(_url(closed, f"{closed_event.pk}/answer/"), {"answer": ATTEND}).status_code == 403
    for path in ("", "new/", f"{hidden_event.pk}/", f"{hidden_event.pk}/calendar.ics", f"{hidden_event.pk}/edit/"):
        assert outsider.get(_url(hidden, path)).status_code == 404, path
    assert not EventResponse.objects.exists()
    # Writing through the service is refused too.
    with pytest.raises(PermissionDenied):
        event_respond(event=closed_event, account=c_member.account, answer=ATTEND)
    # An open group: a civil servant of any organisation reads it, but only members answer.
    open_group = make_group(owner, name="Open")
    open_event = _event(open_group, owner)
    assert outsider.get(_url(open_group, f"{open_event.pk}/")).status_code == 200
    outsider.post(_url(open_group, f"{open_event.pk}/answer/"), {"answer": ATTEND})
    assert not EventResponse.objects.filter(event=open_event).exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(civil_servants, make_group):
    group = make_group(civil_servants.a_member, audience="everyone")
    event = _event(group, civil_servants.a_member)
    anonymous = civil_servants.client(None)
    for path in ("", f"{event.pk}/", f"{event.pk}/calendar.ics", "new/"):
        response = anonymous.get(_url(group, path))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path


# --- Answers and the waiting list -----------------------------------------------------------------------------


def test_beyond_the_places_people_wait_in_order_and_move_up_when_a_place_frees(civil_servants, make_group):
    owner = civil_servants.a_member
    first, second, third, fourth = _people(4)
    group = make_group(owner, members=(first, second, third, fourth, civil_servants.b_member))
    event = _event(group, owner, capacity=2)
    for person in (first, second, third, fourth):
        event_respond(event=event, account=person.account, answer=ATTEND)
    assert _state(event) == ([first.email, second.email], [third.email, fourth.email])
    # Saying "attend" again keeps one's place in the queue.
    event_respond(event=event, account=third.account, answer=ATTEND)
    assert _state(event)[1] == [third.email, fourth.email]
    # The person waiting first sees it, and the counts.
    page = civil_servants.client(third).get(_url(group, f"{event.pk}/")).content.decode()
    assert "You are number 1 on the waiting list." in page and "2 waiting" in page
    listing = civil_servants.client(fourth).get(_url(group)).content.decode()
    assert "2 attending" in listing and "(of 2 places)" in listing and "You are on the waiting list." in listing
    # An attendee changes to maybe: the first waiting moves up, at once.
    response = civil_servants.client(first).post(_url(group, f"{event.pk}/answer/"), {"answer": MAYBE}, follow=True)
    assert "Your answer is saved: maybe." in response.content.decode()
    assert _state(event) == ([second.email, third.email], [fourth.email])
    # Someone joining now waits behind fourth.
    response = civil_servants.client(civil_servants.b_member).post(
        _url(group, f"{event.pk}/answer/"), {"answer": ATTEND}, follow=True
    )
    assert "you are on the waiting list" in response.content.decode()
    assert _state(event)[1] == [fourth.email, civil_servants.b_member.email]
    # An attendee declines: fourth moves up; then an attendee leaves the group: b_member moves up.
    event_respond(event=event, account=second.account, answer=DECLINE)
    assert _state(event) == ([third.email, fourth.email], [civil_servants.b_member.email])
    memberships.group_leave(group=group, account=third.account)
    assert _state(event) == ([fourth.email, civil_servants.b_member.email], [])
    assert not EventResponse.objects.filter(event=event, account=third.account).exists()
    counts = civil_servants.client(owner).get(_url(group)).content.decode()
    assert "2 attending" in counts and "1 maybe" in counts and "waiting" not in counts


def test_more_places_move_the_waiting_list_up_and_fewer_than_attend_are_refused(civil_servants, make_group):
    owner = civil_servants.a_member
    people = _people(4)
    group = make_group(owner, members=tuple(people))
    event = _event(group, owner, capacity=1)
    for person in people:
        event_respond(event=event, account=person.account, answer=ATTEND)
    assert len(_state(event)[0]) == 1

    def fields(capacity: int | None) -> EventFields:
        return EventFields(
            title=event.title,
            description=event.description,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            place=event.place,
            capacity=capacity,
        )

    event_update(event=event, actor=owner.account, fields=fields(3))
    assert _state(event) == ([p.email for p in people[:3]], [people[3].email])
    with pytest.raises(ValidationError, match="3 people attend already"):
        event_update(event=event, actor=owner.account, fields=fields(2))
    event_update(event=event, actor=owner.account, fields=fields(None))  # no limit: everyone has a place
    assert _state(event) == ([p.email for p in people], [])


def test_a_removed_member_loses_access_at_once_and_their_place_goes_to_the_next(civil_servants, make_group):
    owner, member, waiting = civil_servants.a_member, civil_servants.b_member, civil_servants.citizen
    group = make_group(owner, members=(member, waiting), visibility="closed", audience="everyone")
    event = _event(group, owner, capacity=1)
    event_respond(event=event, account=member.account, answer=ATTEND)
    event_respond(event=event, account=waiting.account, answer=ATTEND)
    client = civil_servants.client(member)
    assert client.get(_url(group, f"{event.pk}/calendar.ics")).status_code == 200
    civil_servants.client(owner).post(f"/groups/{group.slug}/manage/members/{member.account.pk}/remove/")
    for path in ("", f"{event.pk}/", f"{event.pk}/calendar.ics"):
        assert client.get(_url(group, path)).status_code == 403, path
    assert client.post(_url(group, f"{event.pk}/answer/"), {"answer": ATTEND}).status_code == 403
    assert _state(event) == ([waiting.email], [])


def test_a_deleted_account_gives_its_place_to_the_first_waiting(civil_servants, make_group):
    owner = civil_servants.a_member
    leaving, waiting = _people(2, prefix="gone")
    group = make_group(owner, members=(leaving, waiting))
    event = _event(group, owner, capacity=1)
    event_respond(event=event, account=leaving.account, answer=ATTEND)
    event_respond(event=event, account=waiting.account, answer=ATTEND)
    leaving.account.delete()
    assert _state(event) == ([waiting.email], [])


def test_a_past_event_is_listed_after_the_coming_ones_and_takes_no_answers(civil_servants, make_group):
    owner, member = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(member,))
    _event(group, owner, days=9, title="Later")
    _event(group, owner, days=2, title="Soon")
    past = _event(group, owner, days=3, title="Long ago")
    older = _event(group, owner, days=4, title="Longer ago")
    GroupEvent.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=3), ends_at=timezone.now() - dt.timedelta(days=3, hours=-1)
    )
    GroupEvent.objects.filter(pk=older.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=30), ends_at=timezone.now() - dt.timedelta(days=30, hours=-1)
    )
    page = civil_servants.client(member).get(_url(group)).content.decode()
    positions = [page.index(title) for title in ("Soon", "Later", "Past events", "Long ago", "Longer ago")]
    assert positions == sorted(positions)
    with pytest.raises(ValidationError, match="over"):
        event_respond(event=GroupEvent.objects.get(pk=past.pk), account=member.account, answer=ATTEND)
    assert "Your answer" not in civil_servants.client(member).get(_url(group, f"{past.pk}/")).content.decode()


# --- Edit, cancel, bad input, archived, tab off ---------------------------------------------------------------


def test_the_author_or_a_moderator_edits_and_cancels_an_event_others_cannot(civil_servants, make_group):
    owner, author, other = civil_servants.a_member, civil_servants.b_member, civil_servants.a_editor
    group = make_group(owner, members=(author, other))
    event = _event(group, author, title="First title")
    for person in (other,):
        client = civil_servants.client(person)
        assert client.get(_url(group, f"{event.pk}/edit/")).status_code == 403
        assert client.post(_url(group, f"{event.pk}/edit/"), _form(title="Taken over")).status_code == 403
        assert client.post(_url(group, f"{event.pk}/cancel/")).status_code == 403
    assert GroupEvent.objects.get(pk=event.pk).title == "First title"
    author_client = civil_servants.client(author)
    assert author_client.get(_url(group, f"{event.pk}/edit/")).status_code == 200
    assert author_client.post(_url(group, f"{event.pk}/edit/"), _form(title="Second title")).status_code == 302
    edited = GroupEvent.objects.get(pk=event.pk)
    assert edited.title == "Second title" and edited.edited_at is not None
    event_respond(event=edited, account=other.account, answer=ATTEND)
    content_type_id = ContentType.objects.get_for_model(GroupEvent).pk
    civil_servants.client(other).post(
        f"/groups/{group.slug}/report/{content_type_id}/{event.pk}/", {"reason": "Wrong date.", "back": _url(group)}
    )
    report = GroupReport.objects.get(group=group, target_id=event.pk)
    moderator = civil_servants.client(owner)
    assert moderator.get(_url(group, f"{event.pk}/cancel/")).status_code == 200
    response = moderator.post(_url(group, f"{event.pk}/cancel/"))
    assert response.status_code == 302 and response["Location"] == _url(group)
    assert not GroupEvent.objects.filter(pk=event.pk).exists() and not EventResponse.objects.exists()
    assert not GroupActivity.objects.filter(group=group, verb="event.created").exists()
    report.refresh_from_db()
    assert report.status == GroupReport.Status.REMOVED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": _local(hour=9)}, "The event must end after it starts."),
        ({"ends_at": _local(hour=10)}, "The event must end after it starts."),
        ({"place": "", "online_url": ""}, "Say where the event takes place, or give its online link (or both)."),
        ({"online_url": "javascript:alert(1)"}, "Give the online link as a web address"),
        ({"online_url": "ftp://files.example/x"}, "Give the online link as a web address"),
        ({"capacity": "0"}, "Give the number of places as a whole number"),
        ({"capacity": "-3"}, "Give the number of places as a whole number"),
        ({"title": "   "}, "This field is required."),
        ({"starts_at": "", "ends_at": ""}, "This field is required."),
        ({"starts_at": _local(days=-3, hour=10), "ends_at": _local(days=-3, hour=12)}, "would be over already"),
    ],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(civil_servants, make_group, overrides, message):
    owner = civil_servants.a_member
    group = make_group(owner)
    response = civil_servants.client(owner).post(_url(group, "new/"), _form(**overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'role="alert"' in page
    assert not GroupEvent.objects.exists() and not GroupActivity.objects.filter(verb="event.created").exists()


def test_a_bad_answer_or_a_cancelled_event_is_a_clear_error(civil_servants, make_group):
    owner = civil_servants.a_member
    group = make_group(owner)
    event = _event(group, owner)
    response = civil_servants.client(owner).post(_url(group, f"{event.pk}/answer/"), {"answer": "perhaps"}, follow=True)
    assert "Answer attend, maybe or decline." in response.content.decode()
    assert not EventResponse.objects.exists()
    GroupEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ValidationError, match="cancelled"):
        event_respond(event=event, account=owner.account, answer=ATTEND)


def test_an_archived_group_is_read_only(civil_servants, make_group):
    owner, member = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(member,))
    event = _event(group, owner)
    Group.objects.filter(pk=group.pk).update(status=Group.Status.ARCHIVED)
    client = civil_servants.client(member)
    assert client.get(_url(group, f"{event.pk}/")).status_code == 200
    assert client.get(_url(group, f"{event.pk}/calendar.ics")).status_code == 200
    assert client.get(_url(group, "new/")).status_code == 403
    assert client.post(_url(group, "new/"), _form()).status_code == 403
    response = client.post(_url(group, f"{event.pk}/answer/"), {"answer": ATTEND}, follow=True)
    assert "archived" in response.content.decode() and not EventResponse.objects.exists()
    assert civil_servants.client(owner).post(_url(group, f"{event.pk}/cancel/")).status_code == 403


def test_a_switched_off_tab_answers_404(civil_servants, make_group):
    owner = civil_servants.a_member
    group = make_group(owner)
    event = _event(group, owner)
    Group.objects.filter(pk=group.pk).update(disabled_tabs=["events"])
    client = civil_servants.client(owner)
    for path in ("", "new/", f"{event.pk}/", f"{event.pk}/calendar.ics", f"{event.pk}/edit/"):
        assert client.get(_url(group, path)).status_code == 404, path
    assert client.post(_url(group, f"{event.pk}/answer/"), {"answer": ATTEND}).status_code == 404
    assert _url(group) not in client.get(f"/groups/{group.slug}/").content.decode()


# --- Moderation ------------------------------------------------------------------------------------------------


def test_moderators_hide_and_remove_an_event(civil_servants, make_group):
    owner, author = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(author,))
    event = _event(group, author, title="Spam party")
    content_type_id = civil_servants.client(owner).get(_url(group, f"{event.pk}/")).context["content_type_id"]
    moderation = f"/groups/{group.slug}/moderate/{content_type_id}/{event.pk}/"
    # A member may not hide.
    civil_servants.client(author).post(moderation + "hide/", {"back": _url(group)})
    assert GroupEvent.objects.get(pk=event.pk).hidden_at is None
    moderator = civil_servants.client(owner)
    assert moderator.post(moderation + "hide/", {"back": _url(group, f"{event.pk}/")}).status_code == 302
    assert GroupEvent.objects.get(pk=event.pk).is_hidden
    member = civil_servants.client(author)
    assert "Spam party" not in member.get(_url(group)).content.decode()
    for path in (f"{event.pk}/", f"{event.pk}/calendar.ics", f"{event.pk}/edit/"):
        assert member.get(_url(group, path)).status_code == 404, path
    with pytest.raises(ValidationError, match="hidden"):
        event_respond(event=event, account=author.account, answer=ATTEND)
    listing = moderator.get(_url(group)).content.decode()
    assert "Spam party" in listing and "hidden by a moderator" in listing
    assert moderator.post(moderation + "remove/", {"back": _url(group)}).status_code == 302
    assert not GroupEvent.objects.filter(pk=event.pk).exists()


# --- Add to calendar ----------------------------------------------------------------------------------------


def test_the_calendar_file_parses_back_and_holds_the_event(civil_servants, make_group):
    owner, member = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(member,), visibility="closed")
    civil_servants.client(owner).post(
        _url(group, "new/"),
        _form(title="Data & cities", description="<p>First line</p><p>Second &amp; last</p>", capacity="20"),
    )
    event = GroupEvent.objects.get(group=group)
    client = civil_servants.client(member)
    response = client.get(_url(group, f"{event.pk}/calendar.ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == f'attachment; filename="data-cities-{event.pk}.ics"'
    assert "private" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"group-event-{event.pk}@{settings.PLATFORM_DOMAIN}"
    assert str(vevent["SUMMARY"]) == "Data & cities"
    starts, ends = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert starts == event.starts_at and ends == event.ends_at
    assert starts.utcoffset() == dt.timedelta(0) and b"DTSTART:" in response.content
    assert str(vevent["DESCRIPTION"]).startswith("First line\n\nSecond & last")
    assert "<" not in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == "Town hall, room 3"
    assert str(vevent["URL"]) == "https://meet.example/open-data"
    # The same UID on every download, and after an edit.
    civil_servants.client(owner).post(_url(group, f"{event.pk}/edit/"), _form(title="Data and cities"))
    again = Calendar.from_ical(client.get(_url(group, f"{event.pk}/calendar.ics")).content)
    (vevent_again,) = again.walk("VEVENT")
    assert vevent_again["UID"] == vevent["UID"] and str(vevent_again["SUMMARY"]) == "Data and cities"


def test_an_online_only_event_has_its_link_as_location_and_url(civil_servants, make_group):
    owner = civil_servants.a_member
    group = make_group(owner)
    civil_servants.client(owner).post(_url(group, "new/"), _form(place=""))
    event = GroupEvent.objects.get(group=group)
    (vevent,) = Calendar.from_ical(
        civil_servants.client(owner).get(_url(group, f"{event.pk}/calendar.ics")).content
    ).walk("VEVENT")
    assert str(vevent["LOCATION"]) == str(vevent["URL"]) == "https://meet.example/open-data"


# --- Queries ------------------------------------------------------------------------------------------------


def test_the_events_list_takes_no_query_per_event(civil_servants, make_group, django_assert_max_num_queries):
    """The same number of queries for 2 and for 25 events (measured in one test, so in one process)."""
    owner = civil_servants.a_member
    people = _people(3, prefix="q")
    group = make_group(owner, members=tuple(people))
    client = civil_servants.client(owner)
    queries_for: dict[int, int] = {}
    made = 0
    for count in (2, 25):
        for n in range(made, count):
            event = _event(group, people[n % 3], capacity=2, days=n + 1, title=f"Event {n}")
            for person in people:
                event_respond(event=event, account=person.account, answer=(ATTEND, MAYBE)[n % 2])
        made = count
        client.get(_url(group))  # warm the session
        with django_assert_max_num_queries(30) as queries:
            page = client.get(_url(group))
        assert page.status_code == 200 and "Event 0" in page.content.decode()
        queries_for[count] = len(queries)
    assert queries_for[25] == queries_for[2], f"{queries_for}: a query per event"


# --- Two people answering at once ---------------------------------------------------------------------------


def _in_threads(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls at the same moment, each in its own thread with its own database connection (they
    commit for real); the results (or the exceptions raised) in the order of ``calls``."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _committed(call: Callable[[], object]) -> object:
    """``call`` on a connection of its own, committed at once (outside the test's transaction)."""
    (result,) = _in_threads([call])
    if isinstance(result, Exception):
        raise result
    return result


def test_people_answering_at_once_never_overfill_the_event_and_the_waiting_list_moves_up(world):
    people = [world.people[key] for key in ("a_member", "a_editor", "a_admin", "b_member", "citizen")]
    owner = world.people["a_editor_b_member"]

    def set_up() -> GroupEvent:
        group = Group.objects.create(slug="events-race", name="Race", purpose="Race.", audience="everyone")
        GroupMembership.objects.create(group=group, account=owner.account, role=GroupMembership.Role.OWNER)
        for person in people:
            GroupMembership.objects.create(group=group, account=person.account)
        start = timezone.now() + dt.timedelta(days=3)
        return GroupEvent.objects.create(
            group=group, author=owner.account, title="Race", starts_at=start, ends_at=start + dt.timedelta(hours=1),
            place="Here", capacity=2,
        )  # fmt: skip

    event = _committed(set_up)
    try:
        attended = _in_threads(
            [lambda p=person: event_respond(event=event, account=p.account, answer=ATTEND) for person in people]
        )
        assert not [result for result in attended if isinstance(result, Exception)], attended
        attending, waiting = _state(event)
        assert len(attending) == 2 and len(waiting) == 3
        assert sum(1 for result in attended if not result.waiting) == 2  # each was told the truth
        # The two attending cancel while the owner and the first waiting answer again, all at once: the first
        # two waiting move up, never more than two attend, and the last one still waits.
        changes = [lambda e=email: _answer_by_email(event, e, DECLINE) for email in attending]
        changes += [
            lambda: event_respond(event=event, account=owner.account, answer=ATTEND),
            lambda: _answer_by_email(event, waiting[0], ATTEND),
        ]
        outcome = _in_threads(changes)
        assert not [result for result in outcome if isinstance(result, Exception)], outcome
        attending_after, waiting_after = _state(event)
        assert len(attending_after) == 2
        assert attending_after[:2] == waiting[:2]
        assert waiting_after == [waiting[2], owner.email]
        assert EventResponse.objects.filter(event=event, answer=ATTEND, waiting=False).count() <= event.capacity
    finally:
        _committed(lambda: Group.objects.filter(slug="events-race").delete())
    assert not GroupEvent.objects.filter(pk=event.pk).exists()


def _answer_by_email(event: GroupEvent, email: str, answer: str) -> EventResponse:
    account = EventResponse.objects.select_related("account").get(event=event, account__email=email).account
    return event_respond(event=event, account=account, answer=answer)
