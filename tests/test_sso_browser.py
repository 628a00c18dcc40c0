"""Single sign-on in a real browser: headless Chromium (Debian's, driven by Playwright) against the platform
served by Gunicorn on a free port, from this run's test database.

The journey: sign in once on the shared space; open org A's subsite and be signed in there without a
click; open org B's subsite as a non-member -- a civil servant, so its public and civil-servant pages
open and its organisation-only page is refused; sign out once and be signed out everywhere; and the
other way round, signing out on the shared space.

The server is another process, so what it must see is committed: a person of its own, three pages of
org B, the clients' redirect addresses for the server's port. All of it, and every row the journey
makes (sessions, local users, tokens), is removed afterwards, and the clients are synced back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context
from playwright.sync_api import sync_playwright
from wagtail.models import Page, Site

from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.identity_provider.services import oidc_clients_sync_all
from shared_apps.people.models import User
from tenant_apps.members.selectors import role_of
from tenant_apps.pages.models import ContentPage
from tenants.models import EmailDomain
from tenants.roles import Role
from tests.harness.live import CHROMIUM, CHROMIUM_ARGS, LivePlatform, require_chromium, serving_platform
from tests.harness.people import PASSWORD, make_person

LEVELS = ("organisation", "civil_servants", "public")


@dataclass
class Committed:
    """What the server process sees: a person (member of org A, civil servant by a verified address) and
    one page of org B per visibility level."""

    email: str
    name: str
    account_id: object
    org_b_pages: dict[str, str] = field(default_factory=dict)  # level -> path


def _schemas(world) -> list[str]:  # type: ignore[no-untyped-def]
    return [get_public_schema_name(), world.org_a.schema_name, world.org_b.schema_name]


def _session_keys(world) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    keys = {}
    for schema in _schemas(world):
        with schema_context(schema):
            keys[schema] = set(Session.objects.values_list("session_key", flat=True))
    return keys


@pytest.fixture
def committed(world, django_db_blocker) -> Iterator[Committed]:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:8]
    mail_domain = f"sso-{tag}.example"
    with django_db_blocker.unblock():
        sessions_before = _session_keys(world)
        EmailDomain.objects.create(organisation=world.org_a, domain=mail_domain)
        person = make_person(
            key="browser", email=f"bea@{mail_domain}", name=f"Bea Browser{tag}", roles={world.org_a: Role.MEMBER}
        )
        AccountEmail.objects.update_or_create(
            account=person.account, email=person.email, defaults={"is_primary": True, "verified_at": timezone.now()}
        )
        data = Committed(email=person.email, name=f"Bea Browser{tag}", account_id=person.account.pk)
        page_ids = []
        with tenant_context(world.org_b):
            home = Site.objects.get(is_default_site=True).root_page
            for level in LEVELS:
                page = home.add_child(
                    instance=ContentPage(title=f"{level} page {tag}", slug=f"sso-{level}-{tag}", visibility=level)
                )
                page_ids.append(page.pk)
                data.org_b_pages[level] = f"/sso-{level}-{tag}/"
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            for schema in _schemas(world):
                with schema_context(schema):
                    Session.objects.exclude(session_key__in=sessions_before[schema]).delete()
                    # Public schema: its tokens, grants and ID tokens go with the local user.
                    User.objects.filter(account_id=data.account_id).delete()
            with tenant_context(world.org_b):
                for page in Page.objects.filter(pk__in=page_ids):
                    page.delete()
            Account.objects.filter(pk=data.account_id).delete()
            EmailDomain.objects.filter(domain=mail_domain).delete()
            oidc_clients_sync_all()  # the clients' addresses back to this process's PLATFORM_PORT


@pytest.fixture
def live_platform(committed, tmp_path) -> Iterator[LivePlatform]:  # type: ignore[no-untyped-def]
    with serving_platform(log_path=tmp_path / "server.log") as live:
        yield live


def _header(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("header nav").inner_text()


def _sign_in_at_the_shared_space(page, committed: Committed) -> None:  # type: ignore[no-untyped-def]
    page.locator("input[name=username], input[name=email]").first.fill(committed.email)
    page.locator("input[type=password]").first.fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[type=password]) [type=submit]").first.click()


def _click_sign_out(page) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator("header form [type=submit]").click()
    page.wait_for_load_state()


def test_one_sign_in_and_one_sign_out_for_every_subsite(
    world, committed, live_platform, django_db_blocker, monkeypatch
):
    require_chromium()
    # Playwright's sync API keeps an event loop in this thread; the few database reads below are synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    live = live_platform
    shared, org_a, org_b = settings.PLATFORM_DOMAIN, world.org_a.platform_host, world.org_b.platform_host
    b_pages = committed.org_b_pages
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context().new_page()
        page.set_default_timeout(20_000)
        navigations: list[str] = []
        page.on("request", lambda request: navigations.append(request.url) if request.is_navigation_request() else None)
        try:
            # 1. Sign in once, on the shared space.
            page.goto(live.url(shared, "/accounts/login/"))
            _sign_in_at_the_shared_space(page, committed)
            page.goto(live.url(shared, "/"))
            assert committed.name in _header(page)

            # 2. Org A: signed in without a click, on an organisation-only page.
            navigations.clear()
            response = page.goto(live.url(org_a, "/news/"))
            assert (response.status, page.url) == (200, live.url(org_a, "/news/"))
            assert committed.name in _header(page)
            assert any("/o/authorize/" in url and "prompt=none" in url for url in navigations), navigations

            # 3. Org B as a non-member: signed in too; public and civil-servant pages open, organisation-only refused.
            response = page.goto(live.url(org_b, b_pages["public"]))
            assert response.status == 200 and committed.name in _header(page)
            assert page.goto(live.url(org_b, b_pages["civil_servants"])).status == 200
            assert "civil_servants page" in page.locator("h1").inner_text()
            refused = page.goto(live.url(org_b, b_pages["organisation"]))
            assert refused.status == 403 and "organisation page" not in page.content()
            with django_db_blocker.unblock(), tenant_context(world.org_b):
                assert role_of(user=User.objects.get(account_id=committed.account_id)) is None

            # 4. Sign out once, on org A: signed out on org A, org B and the shared space.
            page.goto(live.url(org_a, "/"))
            _click_sign_out(page)
            assert page.url == live.url(org_a, "/") and "Sign in" in _header(page)
            for host, path in ((shared, "/"), (org_b, b_pages["public"]), (org_a, "/")):
                assert page.goto(live.url(host, path)).status == 200
                assert committed.name not in _header(page) and "Sign in" in _header(page), host
            page.goto(live.url(org_b, b_pages["civil_servants"]))  # needs a sign-in: the shared space asks
            assert urlsplit(page.url)[1:3] == (f"{shared}:{live.port}", "/accounts/login/")

            # 5. Signing in there brings the person back to org B's page, signed in.
            _sign_in_at_the_shared_space(page, committed)
            page.wait_for_url(live.url(org_b, b_pages["civil_servants"]))
            assert committed.name in _header(page)

            # 6. Org A was checked already in this session: one click on "Sign in", no password.
            page.goto(live.url(org_a, "/"))
            assert "Sign in" in _header(page)
            with page.expect_navigation(url=live.url(org_a, "/")):
                page.locator("header nav a", has_text="Sign in").click()
            assert committed.name in _header(page)

            # 7. Sign out once, on the shared space: signed out on every subsite.
            page.goto(live.url(shared, "/"))
            _click_sign_out(page)
            for host, path in ((org_a, "/"), (org_b, b_pages["public"]), (shared, "/")):
                page.goto(live.url(host, path))
                assert committed.name not in _header(page), host
        except Exception as exc:  # noqa: BLE001 - add what the browser and the server saw, then fail
            pytest.fail(
                f"{type(exc).__name__}: {exc}\n--- browser at {page.url}\n{page.content()[:1500]}\n"
                f"--- navigations\n"
                + "\n".join(navigations[-15:])
                + f"\n--- server log\n{live.log.read_text()[-4000:]}"
            )
        finally:
            browser.close()
