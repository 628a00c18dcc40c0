"""The load suite: 50 concurrent users across 10 organisations for 2 minutes (loopback, bounded), no errors.

The platform is served by Gunicorn (``tests/harness/live.py``) from this run's test database. Ten organisations
are provisioned for the run, each with a signed-in member; the users are threads, each a person (40 signed in,
10 anonymous) visiting their organisation's pages in turn: the intranet home, the news, events and knowledge-base
sections, the search, the notification centre, the feed. An error is a 5xx, a refused connection, a time-out, or
an answer other than the one the visitor should get (a member is never refused, an anonymous visitor of an
intranet section is sent to sign in). Throughput, p50 and p95 are printed in the run's summary and recorded in
``test-artifacts/security-figures.txt``. ``LOAD_SECONDS`` and ``LOAD_USERS`` shorten it for a local try.

What is made for the run is removed afterwards (the organisations' schemas purged, the people deleted).
"""

from __future__ import annotations

import http.client
import itertools
import os
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from shared_apps.accounts.models import Account
from shared_apps.identity_provider.services import oidc_clients_sync_all
from shared_apps.people.models import User
from shared_apps.people.services import local_user_for_account
from tenants.audit import Actor
from tenants.models import Organisation
from tenants.provisioning import organisation_create
from tenants.roles import Role
from tenants.schemas import in_schema
from tenants.services import organisation_purge, organisation_schedule_deletion
from tests.harness.live import serving_platform
from tests.harness.people import make_person
from tests.security_figures import record_figure

ORGANISATIONS = 10
USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "120"))
SIGNED_IN_SHARE = 0.8
PATHS = ["/", "/news/", "/events/", "/knowledge-base/", "/search/?q=nieuws", "/notifications/", "/feed/"]
#: What an anonymous visitor gets on an intranet (organisation-only sections: sent to sign in).
ANONYMOUS_EXPECTED = {"/": 200, "/feed/": 200, "/search/?q=nieuws": 200}


@dataclass
class Visitor:
    host: str
    cookie: str  # "" for an anonymous visitor


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error is not None and len(self.errors) < 50:
                self.errors.append(error)
            elif error is not None:
                self.errors.append("…")


def _session_cookie(organisation: Organisation, user: User) -> str:
    """A signed-in session in the organisation's schema, as single sign-on leaves one."""
    with in_schema(organisation):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


@pytest.fixture
def load_world(world, django_db_blocker) -> Iterator[list[Visitor]]:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:6]
    visitors: list[Visitor] = []
    with django_db_blocker.unblock():
        organisations = [
            organisation_create(name=f"Load {tag} {n}", slug=f"load-{tag}-{n}") for n in range(ORGANISATIONS)
        ]
        accounts = []
        signed_in = round(USERS * SIGNED_IN_SHARE)
        for n in range(USERS):
            organisation = organisations[n % ORGANISATIONS]
            if n < signed_in:
                person = make_person(
                    key=f"load{n}", email=f"load{n}-{tag}@load.example", roles={organisation: Role.MEMBER}
                )
                accounts.append(person.account.pk)
                with in_schema(organisation):
                    user = local_user_for_account(account=person.account)
                visitors.append(Visitor(host=organisation.platform_host, cookie=_session_cookie(organisation, user)))
            else:
                visitors.append(Visitor(host=organisation.platform_host, cookie=""))
    try:
        yield visitors
    finally:
        with django_db_blocker.unblock():
            for organisation in organisations:
                organisation.refresh_from_db()
                organisation_schedule_deletion(organisation=organisation, actor=Actor.system("test"), force=True)
                organisation_purge(organisation=organisation, actor=Actor.system("test"), ignore_grace=True)
            Account.objects.filter(pk__in=accounts).delete()
            oidc_clients_sync_all()


def _visit(port: int, visitor: Visitor, path: str, tally: Tally) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": visitor.host, "Accept-Language": "nl"}
    if visitor.cookie:
        headers["Cookie"] = visitor.cookie
    started = time.perf_counter()
    error = None
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        expected = 200 if visitor.cookie else ANONYMOUS_EXPECTED.get(path, 302)
        if response.status != expected:
            error = f"{visitor.host}{path} ({'member' if visitor.cookie else 'anonymous'}): {response.status}"
    except OSError as exc:
        error = f"{visitor.host}{path}: {type(exc).__name__}: {exc}"
    finally:
        connection.close()
    tally.add(time.perf_counter() - started, error)


def _user(port: int, visitor: Visitor, offset: int, until: float, tally: Tally) -> None:
    for path in itertools.islice(itertools.cycle(PATHS), offset, None):
        if time.monotonic() >= until:
            return
        _visit(port, visitor, path, tally)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_fifty_users_across_ten_organisations_for_two_minutes_without_an_error(load_world, tmp_path, report):
    tally = Tally()
    environment = {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "8"}
    with serving_platform(log_path=tmp_path / "server.log", environment=environment) as live:
        for visitor in load_world[:ORGANISATIONS]:  # warm each organisation's first request (site paths, caches)
            _visit(live.port, visitor, "/", Tally())
        until = time.monotonic() + SECONDS
        started = time.perf_counter()
        threads = [
            threading.Thread(target=_user, args=(live.port, visitor, n, until, tally), daemon=True)
            for n, visitor in enumerate(load_world)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 60)
        elapsed = time.perf_counter() - started
        log = live.log.read_text()
    count = len(tally.latencies)
    p50, p95 = statistics.median(tally.latencies) * 1000, _percentile(tally.latencies, 0.95) * 1000
    line = (
        f"{len(load_world)} concurrent users across {ORGANISATIONS} organisations for {elapsed:.0f} s: "
        f"{count} requests ({count / elapsed:.1f}/s), {len(tally.errors)} errors, p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    )
    report(f"load: {line}")
    record_figure("load", line)
    assert count > len(load_world), "the users made (almost) no requests"
    assert not tally.errors, "\n".join(tally.errors[:20]) + f"\n--- server log\n{log[-3000:]}"
