"""Notifications with a real Celery worker and a real SMTP server (aiosmtpd): a reply committed in a group is
fanned out by the worker, the post's author receives the e-mail at once through SMTP, a member with the
default (daily) receives it in the digest that beat's task builds; the replier nothing.

What the worker must see is committed; all of it is removed afterwards."""

from __future__ import annotations

import email
import email.policy
import time
import uuid
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from govsquare.celery import app as celery_app
from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.group_discussions import services as discussions
from shared_apps.groups.models import Group, GroupMembership
from shared_apps.groups.services.groups import group_create
from shared_apps.groups.services.memberships import membership_add
from shared_apps.notifications.models import Notification
from shared_apps.people.models import User
from tenants.models import EmailDomain
from tests.harness.live import free_port
from tests.harness.people import make_person
from tests.harness.worker import running_worker

pytestmark = pytest.mark.worker


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if address in str(message["To"])]


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _wait(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


def test_a_worker_fans_out_and_mails_through_smtp(world, smtp_inbox, tmp_path, django_db_blocker):
    inbox, port = smtp_inbox
    tag = uuid.uuid4().hex[:8]
    environment = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
    }
    with django_db_blocker.unblock():
        domain = EmailDomain.objects.create(organisation=world.org_a, domain=f"a-{tag}.example")  # civil servants
        owner = make_person(key="owner", email=f"owner-{tag}@a-{tag}.example", roles={})
        replier = make_person(key="replier", email=f"replier-{tag}@org-b.example", roles={})
        reader = make_person(key="reader", email=f"reader-{tag}@org-b.example", roles={})  # the daily digest
        accounts = [owner.account.pk, replier.account.pk, reader.account.pk]
        group = None
        try:
            for person in (owner, replier):
                AccountEmail.objects.update_or_create(
                    account=person.account,
                    email=person.email,
                    defaults={"is_primary": True, "verified_at": timezone.now()},
                )
            group = group_create(
                creator=owner.account, name=f"Worker group {tag}", purpose="Tests.", audience=Group.Audience.EVERYONE
            )
            for person in (replier, reader):
                membership_add(group=group, account=person.account, role=GroupMembership.Role.MEMBER)
            discussion = discussions.discussion_create(
                group=group, author=owner.account, kind="question", title=f"Question {tag}", body="Anyone?"
            )
            with running_worker(log_path=tmp_path / "worker.log", environment=environment):
                with transaction.atomic():  # as a request: the receiver queues the fan-out once this commits
                    discussions.reply_create(group=group, discussion=discussion, author=replier.account, body="Yes.")
                assert _wait(lambda: inbox.to(owner.email), 45), (tmp_path / "worker.log").read_text()[-3000:]
                message = inbox.to(owner.email)[0]
                assert f"Question {tag}" in str(message["Subject"])
                assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
                assert "/notifications/unsubscribe/" in str(message["List-Unsubscribe"])
                note = Notification.objects.get(recipient=owner.account, kind=Notification.Kind.REPLY)
                assert _wait(lambda: Notification.objects.filter(pk=note.pk, mailed_at__isnull=False).exists(), 10)
                assert not Notification.objects.filter(recipient=replier.account).exists()  # never the actor
                assert not inbox.to(replier.email)

                # Beat's daily digest, queued by name as beat does: the reader's arrives through SMTP.
                assert not inbox.to(reader.email)
                celery_app.send_task("notifications.digests_send", kwargs={"frequency": "daily"})
                assert _wait(lambda: inbox.to(reader.email), 45), (tmp_path / "worker.log").read_text()[-3000:]
                digest = inbox.to(reader.email)[0]
                body = digest.get_body(preferencelist=("plain",)).get_content()
                assert f"Question {tag}" in body and replier.account.display_name in body
                assert "/notifications/unsubscribe/" in str(digest["List-Unsubscribe"])
                assert not inbox.to(replier.email)
        finally:
            if group is not None:
                Group.objects.filter(pk=group.pk).delete()
            User.objects.filter(account_id__in=accounts).delete()
            Account.objects.filter(pk__in=accounts).delete()
            domain.delete()
