"""Notification e-mails (shared_apps/notifications/mail.py): at once and in digests, checked again when built,
in the recipient's language, with one-click unsubscribe headers, retried when the mail server is down, and
once with a real Celery worker and a real SMTP server."""

from __future__ import annotations

from smtplib import SMTPException

import pytest
from celery.exceptions import Retry
from django.core import mail as django_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone, translation
from django.utils.formats import date_format

from shared_apps.accounts.models import Account
from shared_apps.group_discussions import services as discussions
from shared_apps.groups.models import Group, GroupActivity
from shared_apps.groups.services.join_requests import group_join_request_approve, group_join_request_create
from shared_apps.groups.services.memberships import group_leave
from shared_apps.groups.services.moderation import item_hide
from shared_apps.notifications import mail, services, tasks
from shared_apps.notifications.models import GroupNotificationSetting, Notification
from shared_apps.notifications.unsubscribe import token_read
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


class DownBackend(BaseEmailBackend):
    """A mail server that is down: every send fails, and is counted."""

    attempts = 0

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        DownBackend.attempts += 1
        raise SMTPException("451 try again later")


@pytest.fixture
def team(civil_servants, make_group):  # type: ignore[no-untyped-def]
    """A closed group for civil servants: owned by org A's editor, with a member of org A and one of org B."""
    return make_group(
        civil_servants.a_editor, members=(civil_servants.a_member, civil_servants.b_member), visibility="closed"
    )


def fan_out(group: Group, verb: str, item, mentioned=()) -> services.FanOut:  # type: ignore[no-untyped-def]
    activity = GroupActivity.objects.filter(group=group, verb=verb).first()
    return services.activity_fan_out(
        activity_id=activity.pk,
        item_label=item._meta.label_lower,
        item_id=item.pk,
        mentioned=[str(m) for m in mentioned],
    )


def discussion_with_reply(civil_servants, team, *, author=None, replier=None):  # type: ignore[no-untyped-def]
    author = author or civil_servants.b_member
    replier = replier or civil_servants.a_member
    discussion = discussions.discussion_create(
        group=team, author=author.account, kind="discussion", title="Parking rules", body="Who parks where?"
    )
    fan_out(team, "discussion.created", discussion)
    reply = discussions.reply_create(group=team, discussion=discussion, author=replier.account, body="Not me.")
    result = fan_out(team, "reply.created", reply)
    return discussion, reply, result


def to(address: str) -> list:  # type: ignore[type-arg]
    return [message for message in django_mail.outbox if address in message.to]


# --- At once --------------------------------------------------------------------------------------------


def test_a_reply_is_mailed_at_once_with_one_click_unsubscribe(civil_servants, team):
    _, reply, result = discussion_with_reply(civil_servants, team)
    note = Notification.objects.get(recipient=civil_servants.b_member.account, kind=Kind.REPLY)
    assert result.immediate == [note.pk]
    assert tasks.notification_mail_send.run(notification_id=note.pk) == "sent"
    (message,) = to(civil_servants.b_member.email)
    assert message.subject == f"{civil_servants.a_member.account.display_name} replied to your post “Parking rules”"
    assert f"http://govsquare.localhost:8000/groups/{team.slug}/discussions/" in message.body
    assert f"#reply-{reply.pk}" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<a href=" in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert (
        unsubscribe.startswith("<http://govsquare.localhost:8000/notifications/unsubscribe/") and unsubscribe[-1] == ">"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe.rsplit("/unsubscribe/", 1)[1].rstrip("/>")
    named = token_read(token=token)
    assert (named.account.pk, named.list_name) == (civil_servants.b_member.account.pk, "kind:replies")

    note.refresh_from_db()
    assert note.mailed_at is not None
    assert tasks.notification_mail_send.run(notification_id=note.pk) == "done"  # a second delivery: no mail
    assert len(to(civil_servants.b_member.email)) == 1
    assert not to(civil_servants.a_member.email)  # the author of the reply


def test_a_group_set_to_immediately_mails_each_activity_with_that_groups_unsubscribe(civil_servants, team):
    GroupNotificationSetting.objects.create(
        account=civil_servants.b_member.account, group=team, frequency="immediately"
    )
    discussion = discussions.discussion_create(
        group=team, author=civil_servants.a_member.account, kind="discussion", title="Canteen", body="Menu?"
    )
    (note_id,) = fan_out(team, "discussion.created", discussion).immediate
    mail.notification_mail_send(notification_id=note_id)
    (message,) = to(civil_servants.b_member.email)
    token = message.extra_headers["List-Unsubscribe"].rsplit("/unsubscribe/", 1)[1].rstrip("/>")
    assert token_read(token=token).list_name == f"group:{team.pk}"


def test_nothing_is_mailed_to_someone_who_left_the_closed_group_meanwhile(civil_servants, team):
    _, _, result = discussion_with_reply(civil_servants, team)
    group_leave(group=team, account=civil_servants.b_member.account)  # before the worker gets to the mail
    (note_id,) = result.immediate
    assert mail.notification_mail_send(notification_id=note_id) == "skipped"
    assert not django_mail.outbox
    note = Notification.objects.get(pk=note_id)
    assert note.mail_skipped_at is not None and note.mailed_at is None
    assert mail.notification_mail_send(notification_id=note_id) == "done"  # not tried again


def test_nothing_is_mailed_about_a_hidden_or_deleted_item(civil_servants, team):
    discussion, reply, result = discussion_with_reply(civil_servants, team)
    item_hide(group=team, actor=civil_servants.a_editor.account, item=reply)
    assert mail.notification_mail_send(notification_id=result.immediate[0]) == "skipped"

    other = discussions.reply_create(
        group=team, discussion=discussion, author=civil_servants.a_member.account, body="x"
    )
    (note_id,) = fan_out(team, "reply.created", other).immediate
    discussions.reply_delete(group=team, reply=other, actor=civil_servants.a_member.account)
    assert mail.notification_mail_send(notification_id=note_id) == "skipped"
    assert not django_mail.outbox


def test_a_join_request_decided_before_the_mail_is_not_mailed(civil_servants, make_group, c_member):
    group = make_group(civil_servants.a_editor, members=(civil_servants.b_member,), joining="request")
    request = group_join_request_create(group=group, account=c_member.account)
    (note_id,) = services.join_request_notify(join_request_id=request.pk)
    group_join_request_approve(group=group, actor=civil_servants.a_editor.account, request_id=request.pk)
    assert mail.notification_mail_send(notification_id=note_id) == "skipped"
    # A new request, still pending: mailed, with the join-requests unsubscribe.
    other = make_person(key="asker", email="asker@org-b.example", roles={})
    request = group_join_request_create(group=group, account=other.account)
    (note_id,) = services.join_request_notify(join_request_id=request.pk)
    assert mail.notification_mail_send(notification_id=note_id) == "sent"
    (message,) = django_mail.outbox
    assert message.to == [civil_servants.a_editor.email] and "asks to join the group" in message.subject
    token = message.extra_headers["List-Unsubscribe"].rsplit("/unsubscribe/", 1)[1].rstrip("/>")
    assert token_read(token=token).list_name == "kind:join_requests"


# --- The mail server is down ----------------------------------------------------------------------------


def test_a_mail_server_that_is_down_never_fails_the_post_and_the_mail_is_retried(
    civil_servants, team, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.test_notifications_mail.DownBackend"
    DownBackend.attempts = 0
    queued: list[dict] = []
    monkeypatch.setattr(tasks.activity_fan_out, "delay", lambda **kwargs: queued.append(kwargs))
    discussion = discussions.discussion_create(
        group=team, author=civil_servants.b_member.account, kind="discussion", title="Parking rules", body="Hi"
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply = discussions.reply_create(
            group=team, discussion=discussion, author=civil_servants.a_member.account, body="x"
        )
    assert reply.pk is not None and queued  # the post succeeded; the work waits for a worker
    result = fan_out(team, "reply.created", reply)
    note_id = result.immediate[0]

    with pytest.raises(Retry) as retried:  # the worker would run it again later, with a growing delay
        tasks.notification_mail_send.apply(kwargs={"notification_id": note_id})
    assert isinstance(retried.value.exc, SMTPException) and DownBackend.attempts == 1
    note = Notification.objects.get(pk=note_id)
    assert note.mailed_at is None and note.mail_skipped_at is None  # still waiting for the mail server
    assert tasks.notification_mail_send.retry_backoff is True and tasks.notification_mail_send.max_retries == 6
    assert set(tasks.MAIL_ERRORS) <= set(tasks.notification_mail_send.autoretry_for)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    assert tasks.notification_mail_send.run(notification_id=note_id) == "sent"
    assert len(to(civil_servants.b_member.email)) == 1


def test_a_digest_is_retried_when_the_mail_server_is_down(civil_servants, team, settings):
    discussion_with_reply(civil_servants, team)
    settings.EMAIL_BACKEND = "tests.test_notifications_mail.DownBackend"
    DownBackend.attempts = 0
    account_id = str(civil_servants.a_editor.account.pk)
    with pytest.raises(Retry) as retried:
        tasks.digest_send.apply(kwargs={"account_id": account_id, "frequency": "daily"})
    assert isinstance(retried.value.exc, SMTPException) and DownBackend.attempts == 1
    assert tasks.digest_send.max_retries == 6 and tasks.digest_send.retry_backoff is True
    assert not Notification.objects.filter(recipient=civil_servants.a_editor.account, mailed_at__isnull=False).exists()


# --- Digests --------------------------------------------------------------------------------------------


def test_the_daily_digest_holds_what_waited_and_is_never_empty(civil_servants, team, monkeypatch):
    discussion_with_reply(civil_servants, team, author=civil_servants.a_member, replier=civil_servants.b_member)
    queued: list[dict] = []
    monkeypatch.setattr(tasks.digest_send, "delay", lambda **kwargs: queued.append(kwargs))
    # a_member's news is a reply to their own post, mailed at once: not in a digest.
    assert tasks.digests_send.run(frequency="daily") == {"frequency": "daily", "recipients": 2}
    assert {entry["account_id"] for entry in queued} == {
        str(person.account.pk) for person in (civil_servants.a_editor, civil_servants.b_member)
    }
    assert tasks.digest_send.run(account_id=str(civil_servants.a_editor.account.pk), frequency="daily") == 2
    (message,) = to(civil_servants.a_editor.email)
    assert message.subject == "Your daily GovSquare digest: 2 new notifications"
    assert "Test group" in message.body and "started a discussion “Parking rules”" in message.body
    assert "replied to “Parking rules”" in message.body and "http://govsquare.localhost:8000/groups/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = message.extra_headers["List-Unsubscribe"].rsplit("/unsubscribe/", 1)[1].rstrip("/>")
    assert token_read(token=token).list_name == "digest:daily"
    assert "<ul>" in message.alternatives[0][0]
    # Sent: nothing waits any more, so a second run sends nothing (never an empty digest).
    assert mail.digest_send(account_id=civil_servants.a_editor.account.pk, frequency="daily") == 0
    assert len(django_mail.outbox) == 1
    # The weekly digest has nothing of these (they were for the daily one).
    assert mail.digest_send(account_id=civil_servants.a_editor.account.pk, frequency="weekly") == 0


def test_no_digest_for_someone_who_left_the_closed_group(civil_servants, team):
    discussion_with_reply(civil_servants, team, author=civil_servants.a_member, replier=civil_servants.a_editor)
    group_leave(group=team, account=civil_servants.b_member.account)
    b_member = civil_servants.b_member.account
    waiting = Notification.objects.filter(recipient=b_member, delivery="daily")
    assert waiting.exists()
    assert mail.digest_send(account_id=b_member.pk, frequency="daily") == 0
    assert not django_mail.outbox
    assert not waiting.filter(mail_skipped_at__isnull=True).exists()  # marked: not looked at again
    assert b_member.pk not in mail.digest_recipients(frequency="daily")


def test_a_digest_leaves_out_hidden_and_deleted_items_and_keeps_the_rest(civil_servants, team):
    discussion, _reply, _ = discussion_with_reply(civil_servants, team)
    second = discussions.discussion_create(
        group=team, author=civil_servants.a_member.account, kind="discussion", title="Canteen", body="Menu?"
    )
    fan_out(team, "discussion.created", second)
    third = discussions.discussion_create(
        group=team, author=civil_servants.a_member.account, kind="discussion", title="Bikes", body="Where?"
    )
    fan_out(team, "discussion.created", third)
    item_hide(group=team, actor=civil_servants.a_editor.account, item=discussion)  # and its reply with it
    discussions.discussion_delete(group=team, discussion=second, actor=civil_servants.a_member.account)
    assert mail.digest_send(account_id=civil_servants.a_editor.account.pk, frequency="daily") == 1
    (message,) = django_mail.outbox
    assert "Bikes" in message.body and "Canteen" not in message.body and "Parking rules" not in message.body


def test_the_digest_is_in_the_recipients_language(civil_servants, team):
    discussion_with_reply(civil_servants, team, author=civil_servants.a_member, replier=civil_servants.a_editor)
    b_member = civil_servants.b_member.account
    Account.objects.filter(pk=b_member.pk).update(language="nl")
    assert mail.digest_send(account_id=b_member.pk, frequency="daily") == 2
    (message,) = django_mail.outbox
    assert message.extra_headers["Content-Language"] == "nl"
    with translation.override("nl"):
        dutch_date = date_format(timezone.localdate(), "l j F Y")
    with translation.override("en"):
        english_date = date_format(timezone.localdate(), "l j F Y")
    assert dutch_date != english_date and dutch_date in message.body and english_date not in message.body
    assert translation.get_language() == "en"  # the worker's own language is left as it was


def test_unsubscribing_from_the_digest_stops_what_is_waiting(civil_servants, team, client):
    discussion_with_reply(civil_servants, team)
    assert mail.digest_send(account_id=civil_servants.a_editor.account.pk, frequency="daily") == 2
    message = django_mail.outbox[0]
    django_mail.outbox.clear()
    canteen = discussions.discussion_create(
        group=team, author=civil_servants.a_member.account, kind="discussion", title="Canteen", body="Menu?"
    )
    fan_out(team, "discussion.created", canteen)
    url = message.extra_headers["List-Unsubscribe"].strip("<>").replace("http://govsquare.localhost:8000", "")
    response = client.post(url, {"List-Unsubscribe": "One-Click"}, HTTP_HOST="govsquare.localhost")
    assert response.status_code == 200
    assert mail.digest_send(account_id=civil_servants.a_editor.account.pk, frequency="daily") == 0
    assert not django_mail.outbox
    # Only the editor's setting changed: the org B member still gets theirs.
    assert mail.digest_send(account_id=civil_servants.b_member.account.pk, frequency="daily") >= 1
