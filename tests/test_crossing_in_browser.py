"""Crossing in, in a real browser: from an intranet home into a shared group, and back out as news.

Headless Chromium (Debian's, driven by Playwright) against the platform served by Gunicorn, with a real
Celery worker doing the fan-out and the mail, and a real SMTP server (aiosmtpd) receiving it:

1. Anna, a member of org A, on org A's intranet home, opens the group from "My groups", opens a
   discussion there and posts a reply.
2. Bram, a member of org B (and of the group, which he set to the daily digest), sees the group as new in
   "My groups" on org B's intranet home, and the reply in his notification centre there.
3. Celery beat's daily digest runs (the task beat sends, queued by name): Bram receives the reply in his
   digest through the SMTP server, with a one-click unsubscribe; Anna, the author, receives nothing.

What the server and the worker must see is committed; all of it is removed afterwards.
"""

from __future__ import annotations

import email
import email.policy
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context
from playwright.sync_api import sync_playwright

from govsquare.celery import app as celery_app
from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.group_discussions.services import discussion_create
from shared_apps.groups.models import Group, GroupMembership
from shared_apps.groups.services.groups import group_create
from shared_apps.groups.services.memberships import membership_add
from shared_apps.identity_provider.services import oidc_clients_sync_all
from shared_apps.notifications.models import GroupNotificationSetting, Notification
from shared_apps.people.models import User
from tenants.models import EmailDomain
from tenants.roles import Role
from tests.harness.live import CHROMIUM, CHROMIUM_ARGS, LivePlatform, free_port, require_chromium, serving_platform
from tests.harness.people import PASSWORD, make_person
from tests.harness.worker import running_worker

pytestmark = pytest.mark.worker


class Inbox:
    """aiosmtpd's handler: every message the server accepts, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if address in message["X-Envelope-To"]]


@dataclass
class Committed:
    anna: object
    bram: object
    group_slug: str
    group_name: str
    discussion_title: str
    account_ids: list[object] = field(default_factory=list)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _schemas(world) -> list[str]:  # type: ignore[no-untyped-def]
    return [get_public_schema_name(), world.org_a.schema_name, world.org_b.schema_name]


@pytest.fixture
def committed(world, django_db_blocker) -> Iterator[Committed]:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:8]
    domains = {world.org_a: f"a-{tag}.example", world.org_b: f"b-{tag}.example"}
    with django_db_blocker.unblock():
        sessions_before = {}
        for schema in _schemas(world):
            with schema_context(schema):
                sessions_before[schema] = set(Session.objects.values_list("session_key", flat=True))
        for organisation, domain in domains.items():
            EmailDomain.objects.create(organisation=organisation, domain=domain)
        people = {
            "anna": make_person(
                key="anna", email=f"anna@{domains[world.org_a]}", name=f"Anna {tag}", roles={world.org_a: Role.MEMBER}
            ),
            "bram": make_person(
                key="bram", email=f"bram@{domains[world.org_b]}", name=f"Bram {tag}", roles={world.org_b: Role.MEMBER}
            ),
            "owner": make_person(
                key="owner", email=f"owner@{domains[world.org_a]}", name=f"Otto {tag}", roles={world.org_a: Role.EDITOR}
            ),
        }
        for person in people.values():
            AccountEmail.objects.update_or_create(
                account=person.account, email=person.email, defaults={"is_primary": True, "verified_at": timezone.now()}
            )
        group = group_create(
            creator=people["owner"].account,
            name=f"Open data {tag}",
            purpose="Open data across the government.",
            visibility=Group.Visibility.OPEN,
        )
        for key in ("anna", "bram"):
            membership_add(group=group, account=people[key].account, role=GroupMembership.Role.MEMBER)
        GroupNotificationSetting.objects.update_or_create(
            account=people["bram"].account, group=group, defaults={"frequency": "daily"}
        )
        GroupMembership.objects.filter(group=group).update(last_visit_at=timezone.now())
        title = f"Publishing budgets {tag}"
        discussion_create(group=group, author=people["owner"].account, kind="discussion", title=title, body="Who?")
        Notification.objects.filter(group=group).delete()  # the opening post's news is not what this test is about
        data = Committed(
            anna=people["anna"],
            bram=people["bram"],
            group_slug=group.slug,
            group_name=group.name,
            discussion_title=title,
            account_ids=[person.account.pk for person in people.values()],
        )
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            Group.objects.filter(slug=data.group_slug).delete()
            for schema in _schemas(world):
                with schema_context(schema):
                    Session.objects.exclude(session_key__in=sessions_before[schema]).delete()
                    User.objects.filter(account_id__in=data.account_ids).delete()
            Account.objects.filter(pk__in=data.account_ids).delete()
            EmailDomain.objects.filter(domain__in=domains.values()).delete()
            oidc_clients_sync_all()


@pytest.fixture
def platform_with_worker(committed, smtp_server, tmp_path) -> Iterator[tuple[LivePlatform, Inbox]]:  # type: ignore[no-untyped-def]
    inbox, smtp_port = smtp_server
    mail = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
    }
    with running_worker(log_path=tmp_path / "worker.log", environment=mail) as queue:
        server_environment = mail | {"CELERY_TASK_ALWAYS_EAGER": "false", "CELERY_TASK_DEFAULT_QUEUE": queue}
        with serving_platform(log_path=tmp_path / "server.log", environment=server_environment) as live:
            yield live, inbox


def _sign_in(page, live: LivePlatform, person) -> None:  # type: ignore[no-untyped-def]
    page.goto(live.url(settings.PLATFORM_DOMAIN, "/accounts/login/"))
    page.locator("input[name=username], input[name=email]").first.fill(person.email)
    page.locator("input[type=password]").first.fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[type=password]) [type=submit]").first.click()


def _wait_for(condition, *, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds}s for {what}")
        time.sleep(0.25)


def test_a_reply_from_org_a_reaches_org_b_as_news_and_in_the_daily_digest(
    world, committed, platform_with_worker, django_db_blocker, monkeypatch
):
    require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    live, inbox = platform_with_worker
    org_a, org_b = world.org_a.platform_host, world.org_b.platform_host
    reply_text = f"We publish them every quarter ({uuid.uuid4().hex[:6]})."
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context().new_page()
        page.set_default_timeout(20_000)
        try:
            # 1. Anna, on org A's intranet home: "My groups" -> the group -> the discussion -> a reply.
            _sign_in(page, live, committed.anna)
            page.goto(live.url(org_a, "/"))
            my_groups = page.locator("section[aria-labelledby^=groups-mine]")
            with page.expect_navigation():
                my_groups.get_by_role("link", name=committed.group_name).click()
            assert page.url.startswith(live.url(settings.PLATFORM_DOMAIN, f"/groups/{committed.group_slug}/"))
            assert committed.anna.account.display_name in page.locator("header nav").inner_text()  # no second sign-in
            with page.expect_navigation():
                page.locator("nav.site-menu").get_by_role("link", name="Discussions").click()
            with page.expect_navigation():
                page.get_by_role("link", name=committed.discussion_title).first.click()
            page.locator("form:has(textarea[name=body]) textarea[name=body]").fill(reply_text)
            with page.expect_navigation():
                page.get_by_role("button", name="Post the reply").click()
            assert reply_text in page.content()

            # The fan-out runs in the worker: Bram's notification arrives there, not in the request.
            with django_db_blocker.unblock():
                _wait_for(
                    lambda: Notification.objects.filter(recipient_id=committed.bram.account.pk).exists(),
                    seconds=30,
                    what="the worker's fan-out",
                )
                assert not Notification.objects.filter(recipient_id=committed.anna.account.pk).exists()

            # 2. Bram, on org B's intranet home: the group is new in "My groups"; the notification centre has it.
            page.context.clear_cookies()
            _sign_in(page, live, committed.bram)
            page.goto(live.url(org_b, "/"))
            my_groups = page.locator("section[aria-labelledby^=groups-mine]")
            assert committed.group_name in my_groups.inner_text()
            assert "new since your last visit" in my_groups.inner_text()
            header = page.locator("header nav").inner_text()
            assert "Notifications (1)" in header, header
            with page.expect_navigation():
                page.locator("header nav").get_by_role("link", name="Notifications").click()
            assert page.url.startswith(live.url(org_b, "/notifications/"))
            centre = page.locator("main").inner_text()
            assert committed.anna.account.display_name in centre and committed.discussion_title in centre, centre

            # 3. Beat's daily digest (queued by name, as beat does): Bram's arrives through the SMTP server.
            assert not inbox.to(committed.bram.email), "a daily-digest reader got an immediate mail"
            celery_app.send_task("notifications.digests_send", kwargs={"frequency": "daily"})
            _wait_for(lambda: inbox.to(committed.bram.email), seconds=45, what="the daily digest by SMTP")
            digest = inbox.to(committed.bram.email)[0]
            body = digest.get_body(preferencelist=("plain",)).get_content()
            assert committed.discussion_title in body and committed.anna.account.display_name in body, body
            assert (
                digest["List-Unsubscribe"].strip().startswith("<http")
                and "/notifications/unsubscribe/" in digest["List-Unsubscribe"]
            )
            assert digest["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
            assert not inbox.to(committed.anna.email), "the author was mailed about her own reply"
        except Exception as exc:  # noqa: BLE001 - add what the browser and the server saw, then fail
            pytest.fail(
                f"{type(exc).__name__}: {exc}\n--- browser at {page.url}\n{page.content()[:2000]}\n"
                f"--- server log\n{live.log.read_text()[-3000:]}"
            )
        finally:
            browser.close()
