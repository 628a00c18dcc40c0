"""Notifications (shared_apps/notifications): who is notified of what happens in a group, the centre on the
shared space and on every subsite, preferences, withdrawal with the item, one-click unsubscribe.

Every test asks "and from the other organisation?" (org B's member in a group of org A's people, org B's
subsite) and "and as a citizen?". The e-mails: tests/test_notifications_mail.py."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from govsquare.celery import app as celery_app
from shared_apps.accounts.personal_data.archive import PersonalArchive
from shared_apps.group_discussions import services as discussions
from shared_apps.groups import events
from shared_apps.groups.models import Group, GroupActivity, GroupMembership
from shared_apps.groups.services.activity import activity_record
from shared_apps.groups.services.invitations import group_invite
from shared_apps.groups.services.join_requests import group_join_request_create
from shared_apps.groups.services.memberships import group_leave, membership_add
from shared_apps.groups.services.moderation import item_hide
from shared_apps.notifications import services, tasks
from shared_apps.notifications.models import (
    Frequency,
    GroupNotificationSetting,
    Notification,
    NotificationPreferences,
)
from shared_apps.notifications.personal_data import export_notifications
from shared_apps.notifications.unsubscribe import SALT, token_make
from tenants import organisation_hooks
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


# --- The world ------------------------------------------------------------------------------------------


@pytest.fixture
def recorded(monkeypatch):  # type: ignore[no-untyped-def]
    """The tasks the receivers queue, recorded instead of sent (the tests run them by hand)."""
    queued: list[tuple[str, dict]] = []
    for name in ("activity_fan_out", "invitation_notify", "join_request_notify", "notification_mail_send"):
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "delay", lambda _name=name, **kwargs: queued.append((_name, kwargs)))
    return queued


@pytest.fixture
def team(civil_servants, make_group):  # type: ignore[no-untyped-def]
    """A closed group for civil servants: owned by org A's editor, with a member of org A and one of org B."""
    return make_group(
        civil_servants.a_editor, members=(civil_servants.a_member, civil_servants.b_member), visibility="closed"
    )


def run_queued(queued: list[tuple[str, dict]]) -> None:
    """What a worker would do with the queued tasks (in order, including those they queue)."""
    while queued:
        name, kwargs = queued.pop(0)
        getattr(tasks, name).run(**kwargs)


def post(django_capture_on_commit_callbacks, action):  # type: ignore[no-untyped-def]
    """Run a write as a request would: its on-commit callbacks (the receivers' scheduling) run at the end."""
    with django_capture_on_commit_callbacks(execute=True):
        return action()


def start(group: Group, person, title: str = "Parking rules"):  # type: ignore[no-untyped-def]
    return discussions.discussion_create(group=group, author=person.account, kind="discussion", title=title, body="Hi")


def reply_to(group: Group, discussion, person, body: str = "I agree."):  # type: ignore[no-untyped-def]
    return discussions.reply_create(group=group, discussion=discussion, author=person.account, body=body)


def recipients(**filters) -> dict:  # type: ignore[no-untyped-def]
    return {n.recipient_id: n for n in Notification.objects.filter(**filters)}


def fan_out_of(activity: GroupActivity, item, mentioned=()) -> services.FanOut:  # type: ignore[no-untyped-def]
    return services.activity_fan_out(
        activity_id=activity.pk,
        item_label=item._meta.label_lower,
        item_id=item.pk,
        mentioned=[str(m) for m in mentioned],
    )


# --- Fan-out --------------------------------------------------------------------------------------------


def test_a_new_discussion_notifies_members_of_both_organisations_but_not_the_actor(
    civil_servants, team, c_member, recorded, django_capture_on_commit_callbacks
):
    discussion = post(django_capture_on_commit_callbacks, lambda: start(team, civil_servants.a_member))
    assert [name for name, _ in recorded] == ["activity_fan_out"]  # the request only queued the work
    assert not Notification.objects.exists()
    run_queued(recorded)

    told = recipients(group=team)
    a_editor, b_member = civil_servants.a_editor.account, civil_servants.b_member.account
    assert set(told) == {a_editor.pk, b_member.pk}  # the actor (a_member) is not told; c_member is no member
    assert civil_servants.citizen.account.pk not in told
    note = told[b_member.pk]
    assert note.kind == Kind.ACTIVITY and note.delivery == Frequency.DAILY  # the default
    assert note.actor_id == civil_servants.a_member.account.pk and note.text == "Parking rules"
    assert note.url == discussion.url(group_slug=team.slug)
    assert note.item_keys == [f"group_discussions.discussion:{discussion.pk}"]


def test_the_fan_out_is_safe_to_run_twice(civil_servants, team, recorded, django_capture_on_commit_callbacks):
    post(django_capture_on_commit_callbacks, lambda: start(team, civil_servants.a_member))
    _name, kwargs = recorded[0]
    tasks.activity_fan_out.run(**kwargs)
    tasks.activity_fan_out.run(**kwargs)  # a redelivered message
    assert Notification.objects.filter(group=team).count() == 2


def test_member_events_and_group_creation_notify_nobody(
    civil_servants, make_group, recorded, django_capture_on_commit_callbacks
):
    group = post(
        django_capture_on_commit_callbacks,
        lambda: make_group(civil_servants.a_editor, members=(civil_servants.b_member,)),
    )
    run_queued(recorded)
    assert not Notification.objects.filter(group=group).exists()


def test_a_reply_tells_the_author_once_even_when_mentioned_and_mentions_reach_readers_only(
    civil_servants, make_group, c_member, recorded, django_capture_on_commit_callbacks
):
    """An open group for civil servants: c_member (civil servant, not a member) may read it, the citizen may not."""
    group = make_group(civil_servants.a_editor, members=(civil_servants.a_member, civil_servants.b_member))
    discussion = start(group, civil_servants.b_member)
    Notification.objects.all().delete()
    reply = reply_to(group, discussion, civil_servants.a_member)
    activity = GroupActivity.objects.filter(group=group, verb="reply.created").get()
    b_member, citizen = civil_servants.b_member.account, civil_servants.citizen.account
    fan_out_of(
        activity, reply, mentioned=[b_member.pk, c_member.account.pk, citizen.pk, civil_servants.a_member.account.pk]
    )

    told = recipients(activity=activity)
    assert Notification.objects.filter(activity=activity, recipient=b_member).count() == 1
    assert told[b_member.pk].kind == Kind.MENTION and told[b_member.pk].delivery == Frequency.IMMEDIATELY
    assert told[c_member.account.pk].kind == Kind.MENTION  # a reader of the open group, from org C
    assert citizen.pk not in told  # the group is for civil servants: re-checked, not trusted
    assert civil_servants.a_member.account.pk not in told  # never the actor, even mentioned
    assert told[civil_servants.a_editor.account.pk].kind == Kind.ACTIVITY
    assert told[b_member.pk].item_keys == [
        f"group_discussions.reply:{reply.pk}",
        f"group_discussions.discussion:{discussion.pk}",
    ]


def test_a_reply_to_my_own_post_is_kind_reply_and_mailed_at_once(
    civil_servants, team, recorded, django_capture_on_commit_callbacks
):
    discussion = start(team, civil_servants.b_member)
    Notification.objects.all().delete()
    post(django_capture_on_commit_callbacks, lambda: reply_to(team, discussion, civil_servants.a_member))
    run_queued(recorded[:1])
    mine = Notification.objects.get(recipient=civil_servants.b_member.account)
    assert mine.kind == Kind.REPLY and mine.delivery == Frequency.IMMEDIATELY
    assert ("notification_mail_send", {"notification_id": mine.pk}) in recorded
    assert Notification.objects.get(recipient=civil_servants.a_editor.account).kind == Kind.ACTIVITY


def test_preferences_decide_the_delivery(civil_servants, team):
    b_member = civil_servants.b_member.account
    NotificationPreferences.objects.create(account=b_member, group_activity=Frequency.WEEKLY, replies=False)
    GroupNotificationSetting.objects.create(
        account=civil_servants.a_editor.account, group=team, frequency="immediately"
    )
    discussion = start(team, civil_servants.b_member)
    Notification.objects.all().delete()
    reply = reply_to(team, discussion, civil_servants.a_member)
    activity = GroupActivity.objects.get(group=team, verb="reply.created")
    result = fan_out_of(activity, reply)
    told = recipients(activity=activity)
    assert told[b_member.pk].kind == Kind.REPLY and told[b_member.pk].delivery == Frequency.NEVER  # centre only
    assert told[civil_servants.a_editor.account.pk].delivery == Frequency.IMMEDIATELY
    assert result.immediate == [told[civil_servants.a_editor.account.pk].pk]


def test_a_member_who_left_a_closed_group_is_not_notified(civil_servants, team):
    group_leave(group=team, account=civil_servants.b_member.account)
    discussion = start(team, civil_servants.a_member)
    activity = GroupActivity.objects.get(group=team, verb="discussion.created")
    fan_out_of(activity, discussion, mentioned=[civil_servants.b_member.account.pk])  # mentioned: re-checked too
    assert set(recipients(activity=activity)) == {civil_servants.a_editor.account.pk}


def test_a_citizen_member_of_an_open_group_for_everyone_is_notified(civil_servants, make_group):
    group = make_group(civil_servants.a_editor, members=(civil_servants.citizen,), audience=Group.Audience.EVERYONE)
    discussion = start(group, civil_servants.a_editor)
    activity = GroupActivity.objects.get(group=group, verb="discussion.created")
    fan_out_of(activity, discussion)
    assert set(recipients(activity=activity)) == {civil_servants.citizen.account.pk}


def test_a_hidden_discussion_reaches_only_the_moderators(civil_servants, team):
    discussion = start(team, civil_servants.a_member)
    activity = GroupActivity.objects.get(group=team, verb="discussion.created")
    Notification.objects.all().delete()
    discussion.hidden_at = timezone.now()
    discussion.save(update_fields=["hidden_at"])
    fan_out_of(activity, discussion)
    assert set(recipients(activity=activity)) == {civil_servants.a_editor.account.pk}  # the owner moderates


def test_large_groups_are_fanned_out_in_batches(civil_servants, make_group, monkeypatch):
    group = make_group(civil_servants.a_editor, members=(civil_servants.a_member, civil_servants.b_member))
    for number in range(6):
        person = make_person(key=f"extra{number}", email=f"extra{number}@org-b.example", roles={})
        membership_add(group=group, account=person.account, role=GroupMembership.Role.MEMBER)
    discussion = start(group, civil_servants.a_member)
    activity = GroupActivity.objects.get(group=group, verb="discussion.created")
    Notification.objects.all().delete()
    monkeypatch.setattr(services, "FAN_OUT_BATCH", 3)
    with CaptureQueriesContext(connection) as queries:
        result = fan_out_of(activity, discussion)
    assert result.created == 8 == Notification.objects.filter(activity=activity).count()  # all but the actor
    real = [q for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(real) <= 6 + 7 * 3, [q["sql"][:80] for q in real]  # a fixed number per batch of 3, not per member


# --- Invitations and requests to join -------------------------------------------------------------------


def test_an_invitation_reaches_the_centre_of_the_account_with_that_verified_address(
    civil_servants, team, c_member, recorded, django_capture_on_commit_callbacks
):
    post(
        django_capture_on_commit_callbacks,
        lambda: group_invite(group=team, actor=civil_servants.a_editor.account, email=c_member.email),
    )
    run_queued(recorded)
    note = Notification.objects.get(kind=Kind.INVITATION)
    assert note.recipient_id == c_member.account.pk and note.mailed_at is not None  # the groups mailed it
    assert note.url == f"/groups/{team.slug}/"
    # In their centre although the group is closed to them: they are invited.
    page = client_for(None, person=c_member).get("/notifications/").content.decode()
    assert "invited you to the group Test group" in page


def test_a_join_request_reaches_the_managers_only(
    civil_servants, make_group, c_member, recorded, django_capture_on_commit_callbacks
):
    group = make_group(civil_servants.a_editor, members=(civil_servants.b_member,), joining="request")
    membership_add(group=group, account=civil_servants.a_member.account, role=GroupMembership.Role.ADMINISTRATOR)
    post(django_capture_on_commit_callbacks, lambda: group_join_request_create(group=group, account=c_member.account))
    run_queued([entry for entry in recorded if entry[0] == "join_request_notify"])
    told = recipients(kind=Kind.JOIN_REQUEST)
    assert set(told) == {civil_servants.a_editor.account.pk, civil_servants.a_member.account.pk}
    assert all(n.delivery == Frequency.IMMEDIATELY for n in told.values())
    assert sorted(kwargs["notification_id"] for name, kwargs in recorded if name == "notification_mail_send") == sorted(
        n.pk for n in told.values()
    )


def test_a_broker_that_is_down_never_fails_the_post(
    civil_servants, team, monkeypatch, django_capture_on_commit_callbacks
):
    def down(**kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.activity_fan_out, "delay", down)
    discussion = post(django_capture_on_commit_callbacks, lambda: start(team, civil_servants.a_member))
    assert discussion.pk is not None  # committed and returned; the error was logged


def test_the_receivers_are_connected(civil_servants, team, recorded):
    assert events.activity_recorded.has_listeners()
    assert events.invitation_sent.has_listeners() and events.join_requested.has_listeners()


# --- Withdrawn with the item ----------------------------------------------------------------------------


def _replied(civil_servants, team):  # type: ignore[no-untyped-def]
    discussion = start(team, civil_servants.a_editor)
    reply = reply_to(team, discussion, civil_servants.a_member)
    activity = GroupActivity.objects.get(group=team, verb="reply.created")
    fan_out_of(activity, reply)
    return discussion, reply, Notification.objects.get(activity=activity, recipient=civil_servants.b_member.account)


def test_hiding_the_discussion_withdraws_its_replies_notifications_and_showing_brings_them_back(civil_servants, team):
    discussion, _reply, note = _replied(civil_servants, team)
    b_member = client_for(None, person=civil_servants.b_member)
    assert "replied to" in b_member.get("/notifications/").content.decode()

    item_hide(group=team, actor=civil_servants.a_editor.account, item=discussion)
    note.refresh_from_db()
    assert note.withdrawn_at is not None
    assert "Parking rules" not in b_member.get("/notifications/").content.decode()
    assert b_member.get(f"/notifications/{note.pk}/open/").status_code == 404

    item_hide(group=team, actor=civil_servants.a_editor.account, item=discussion, hidden=False)
    note.refresh_from_db()
    assert note.withdrawn_at is None


def test_deleting_the_reply_withdraws_its_notifications(civil_servants, team):
    _discussion, reply, note = _replied(civil_servants, team)
    discussions.reply_delete(group=team, reply=reply, actor=civil_servants.a_member.account)
    note.refresh_from_db()
    assert note.withdrawn_at is not None


# --- The centre -----------------------------------------------------------------------------------------


def test_the_centre_on_the_shared_space_and_on_both_subsites(world, civil_servants, team):
    _replied(civil_servants, team)
    for organisation in (None, world.org_a, world.org_b):
        page = client_for(organisation, person=civil_servants.b_member).get("/notifications/")
        assert page.status_code == 200, organisation
        text = page.content.decode()
        assert "replied to" in text and "Parking rules" in text, organisation
        assert "Notifications (1)" in text  # the header's unread count
        assert "no-store" in page["Cache-Control"]
    # The open link is absolute to the shared space from every host.
    note = Notification.objects.get(recipient=civil_servants.b_member.account)
    response = client_for(world.org_b, person=civil_servants.b_member).get(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"].startswith("http://govsquare.localhost")
    assert response["Location"].endswith(note.url)
    note.refresh_from_db()
    assert note.read_at is not None
    page = client_for(world.org_a, person=civil_servants.b_member).get("/notifications/").content.decode()
    assert "Notifications (0)" in page


def test_the_centre_is_each_persons_own(world, civil_servants, team):
    _, _, note = _replied(civil_servants, team)
    for person, organisation in ((civil_servants.a_member, world.org_a), (civil_servants.citizen, None)):
        client = client_for(organisation, person=person)
        assert "Parking rules" not in client.get("/notifications/").content.decode()
        assert client.get(f"/notifications/{note.pk}/open/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
    anonymous = Client(HTTP_HOST="govsquare.localhost").get("/notifications/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert "Notifications (" not in Client(HTTP_HOST="govsquare.localhost").get("/accounts/login/").content.decode()


def test_the_centre_drops_what_a_person_may_no_longer_read_in_the_query(world, civil_servants, team):
    _replied(civil_servants, team)
    group_leave(group=team, account=civil_servants.b_member.account)  # a closed group: no reading from outside
    client = client_for(world.org_b, person=civil_servants.b_member)
    text = client.get("/notifications/").content.decode()
    assert "Parking rules" not in text and "Notifications (0)" in text


def test_mark_all_as_read(world, civil_servants, team):
    _replied(civil_servants, team)
    client = client_for(world.org_b, person=civil_servants.b_member)
    assert client.get("/notifications/read/").status_code == 405
    response = client.post("/notifications/read/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=civil_servants.b_member.account, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=civil_servants.a_editor.account, read_at__isnull=True).exists()


def test_the_list_is_paginated_newest_first(civil_servants, team):
    for number in range(27):
        start(team, civil_servants.a_member, title=f"Topic {number:02d}")
    for activity in GroupActivity.objects.filter(group=team, verb="discussion.created"):
        fan_out_of(activity, activity.target)
    client = client_for(None, person=civil_servants.b_member)
    first = client.get("/notifications/").content.decode()
    assert "Topic 26" in first and "Topic 02" in first and "Topic 01" not in first
    assert "Topic 01" in client.get("/notifications/?page=2").content.decode()


# --- Settings -------------------------------------------------------------------------------------------


def test_settings_save_per_group_and_reject_bad_values(world, civil_servants, team, make_group):
    other = make_group(civil_servants.a_editor, name="Not mine")
    client = client_for(world.org_b, person=civil_servants.b_member)
    page = client.get("/notifications/settings/").content.decode()
    assert "Test group" in page and "Not mine" not in page and "but get no e-mail" in page
    data = {"group_activity": "weekly", "mentions": "on", "invitations": "on", f"group_{team.pk}": "daily"}
    assert client.post("/notifications/settings/", data).status_code == 302
    preferences = NotificationPreferences.objects.get(account=civil_servants.b_member.account)
    assert (preferences.group_activity, preferences.replies, preferences.mentions) == ("weekly", False, True)
    assert (
        GroupNotificationSetting.objects.get(account=civil_servants.b_member.account, group=team).frequency == "daily"
    )

    bad = client.post("/notifications/settings/", {"group_activity": "hourly", f"group_{team.pk}": "sometimes"})
    assert bad.status_code == 400
    assert bad.content.decode().count("Choose one of the frequencies offered.") == 2
    preferences.refresh_from_db()
    assert preferences.group_activity == "weekly"  # nothing saved

    # A group the person is not in: ignored by the form, refused by the service.
    client.post("/notifications/settings/", {"group_activity": "daily", f"group_{other.pk}": "never"})
    assert not GroupNotificationSetting.objects.filter(group=other).exists()
    with pytest.raises(Exception, match="groups you are a member of"):
        services.preferences_update(
            account=civil_servants.b_member.account,
            group_activity="daily",
            replies=True,
            mentions=True,
            invitations=True,
            join_requests=True,
            group_frequencies={other.pk: "never"},
        )


def test_settings_need_a_sign_in(world):
    response = client_for(world.org_a).get("/notifications/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_new_frequency_applies_to_what_is_still_waiting(civil_servants, team):
    _replied(civil_servants, team)
    b_member = civil_servants.b_member.account
    services.preferences_update(
        account=b_member,
        group_activity="daily",
        replies=True,
        mentions=True,
        invitations=True,
        join_requests=True,
        group_frequencies={team.pk: "never"},
    )
    assert Notification.objects.get(recipient=b_member).delivery == Frequency.NEVER


# --- Unsubscribe (no sign-in) ---------------------------------------------------------------------------


def test_unsubscribe_from_a_digest_without_signing_in(world, civil_servants, team):
    b_member = civil_servants.b_member.account
    GroupNotificationSetting.objects.create(account=b_member, group=team, frequency="daily")
    token = token_make(account_id=b_member.pk, list_name="digest:daily")
    for host in ("govsquare.localhost", world.org_b.platform_host):
        page = Client(HTTP_HOST=host).get(f"/notifications/unsubscribe/{token}/")
        assert page.status_code == 200 and "Stop these e-mails?" in page.content.decode()
        assert "the daily digest" in page.content.decode() and b_member.email not in page.content.decode()
    assert not NotificationPreferences.objects.filter(account=b_member).exists()  # a GET changes nothing

    client = Client(HTTP_HOST="govsquare.localhost", enforce_csrf_checks=True)  # as a mail client posts
    response = client.post(f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    assert NotificationPreferences.objects.get(account=b_member).group_activity == Frequency.NEVER
    assert GroupNotificationSetting.objects.get(account=b_member, group=team).frequency == Frequency.NEVER
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 200  # again: the same


def test_an_unsubscribe_token_touches_only_its_person_and_its_list(civil_servants, team):
    a_member, b_member = civil_servants.a_member.account, civil_servants.b_member.account
    token = token_make(account_id=b_member.pk, list_name="kind:mentions")
    client = Client(HTTP_HOST="govsquare.localhost")
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 200
    mine = NotificationPreferences.objects.get(account=b_member)
    assert (mine.mentions, mine.replies, mine.join_requests, mine.group_activity) == (False, True, True, "daily")
    assert not NotificationPreferences.objects.filter(account=a_member).exists()

    # Another person's id or another list in the payload: the signature no longer matches.
    payload = token.rpartition(":")[0]
    for forged in (
        signing.dumps({"a": str(a_member.pk), "l": "kind:mentions"}, salt="another salt"),
        signing.dumps({"a": str(a_member.pk), "l": "kind:replies"}, salt=SALT)[:-2] + "xx",
        token.replace(payload[:10], payload[:9] + ("A" if payload[9] != "A" else "B")),
        "not-a-token",
    ):
        response = client.post(f"/notifications/unsubscribe/{forged}/")
        assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not NotificationPreferences.objects.filter(account=a_member).exists()
    assert NotificationPreferences.objects.get(account=b_member).replies is True

    group_token = token_make(account_id=a_member.pk, list_name=f"group:{team.pk}")
    assert client.post(f"/notifications/unsubscribe/{group_token}/").status_code == 200
    assert GroupNotificationSetting.objects.get(account=a_member, group=team).frequency == Frequency.NEVER
    assert not GroupNotificationSetting.objects.filter(account=b_member).exists()
    assert NotificationPreferences.objects.get(account=a_member).group_activity == Frequency.DAILY


# --- Personal data --------------------------------------------------------------------------------------


def test_the_persons_notifications_and_settings_are_in_their_data_export(world, civil_servants, team):
    _replied(civil_servants, team)
    b_member = civil_servants.b_member
    services.preferences_update(
        account=b_member.account,
        group_activity="weekly",
        replies=True,
        mentions=False,
        invitations=True,
        join_requests=True,
        group_frequencies={team.pk: "daily"},
    )
    assert export_notifications in organisation_hooks.personal_data_export.implementations
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        archive = PersonalArchive(zf)
        with tenant_context(world.org_b):  # an organisation's turn: nothing of the public schema's
            organisation_hooks.personal_data_export.call_all(
                account=b_member.account, local_user=b_member.local_user(world.org_b), archive=archive, folder="x"
            )
        organisation_hooks.personal_data_export.call_all(
            account=b_member.account, local_user=None, archive=archive, folder="organisations/shared-space"
        )
    with zipfile.ZipFile(buffer) as zf:
        assert zf.namelist().count("notifications.json") == 1
        data = json.loads(zf.read("notifications.json"))
    assert data["preferences"]["group_activity"] == "weekly" and data["preferences"]["mentions"] is False
    assert data["groups"] == [{"group": "Test group", "slug": team.slug, "frequency": "daily"}]
    [note] = data["notifications"]
    assert note["text"] == "Parking rules" and note["actor"] == civil_servants.a_member.account.display_name
    assert Notification.objects.filter(recipient=civil_servants.a_editor.account).exists()
    assert len(data["notifications"]) == Notification.objects.filter(recipient=b_member.account).count()


def test_an_edit_that_mentions_someone_new_tells_only_them(civil_servants, team):
    discussion = start(team, civil_servants.a_member)
    Notification.objects.all().delete()
    b_member = civil_servants.b_member.account
    activity = activity_record(
        group=team,
        actor=civil_servants.a_member.account,
        verb="mention.added",
        summary=discussion.title,
        url=discussion.url(group_slug=team.slug),
        target=discussion,
        mentioned=[b_member.pk],
    )
    fan_out_of(activity, discussion, mentioned=[b_member.pk])
    told = recipients(activity=activity)
    assert set(told) == {b_member.pk} and told[b_member.pk].kind == Kind.MENTION  # not the other members


def test_the_digests_are_on_celery_beat_at_seven_in_amsterdam(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    daily, weekly = schedule["notifications-daily-digest"], schedule["notifications-weekly-digest"]
    assert (daily["task"], daily["kwargs"]) == ("notifications.digests_send", {"frequency": "daily"})
    assert (weekly["task"], weekly["kwargs"]) == ("notifications.digests_send", {"frequency": "weekly"})
    assert daily["schedule"].hour == {7} and daily["schedule"].minute == {0}
    assert weekly["schedule"].day_of_week == {1} and weekly["schedule"].hour == {7}
    assert str(celery_app.timezone) == "Europe/Amsterdam"
