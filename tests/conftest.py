"""The test world: a fresh database cloned from a template, two organisations, people of every kind.

Fixtures:

* ``world`` (session): org A and org B, created by cloning the template schema (timed and printed),
  and the people ``a_member``, ``a_editor``, ``a_admin``, ``b_member``, ``citizen`` and
  ``a_editor_b_member`` (editor in A, plain member in B). Committed once; each test's own writes
  roll back with the ``db`` fixture.
* ``client_for`` (from ``tests.harness.clients``): requests to an organisation's host as a person.

Under pytest-xdist (``make test`` runs two workers) every worker has all of this to itself: a test
database cloned from the shared template (``test_govsquare_gw0``, ``test_govsquare_gw1``), its own org A
and org B, cache prefix, Celery queue and file folders (``govsquare/settings/test.py``). The harness
lines of every worker are printed at the end by the controlling process.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from tenants.hosts import RegisteredHosts
from tenants.models import Organisation
from tenants.provisioning import organisation_create
from tenants.roles import Role
from tenants.schema_template import ensure_template_schema
from tests.groups_support import c_member, civil_servants, make_group  # noqa: F401 - the groups' fixtures, for every module
from tests.harness.database import prepare_test_database
from tests.harness.people import Person, make_person


@dataclass
class World:
    org_a: Organisation
    org_b: Organisation
    people: dict[str, Person]
    creation_seconds: float

    def __getattr__(self, key: str) -> Person:
        try:
            return self.__dict__["people"][key]
        except KeyError:
            raise AttributeError(key) from None


_HARNESS_REPORT: list[str] = []
_WORKER_OUTPUT_KEY = "govsquare_harness_report"


def _worker_id(config: pytest.Config) -> str | None:
    """The pytest-xdist worker this process is (``gw0``, ``gw1``, ...), or None in a single process."""
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput is not None else None


def _say(config: pytest.Config, line: str) -> None:
    """Remember a line for the summary at the end of the run (output is captured while fixtures run)."""
    _HARNESS_REPORT.append(line.strip())


@pytest.fixture(scope="session")
def report(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """``report(line)``: a figure a test measured, printed in the run's summary (also under pytest-xdist)."""
    return lambda line: _say(request.config, line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In an xdist worker: hand the harness lines to the controlling process, which prints them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_WORKER_OUTPUT_KEY] = list(_HARNESS_REPORT)


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: unknown under -p no:xdist
def pytest_testnodedown(node, error) -> None:  # type: ignore[no-untyped-def]
    _HARNESS_REPORT.extend(getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT_KEY, []))


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Test ids the same in every process: pytest-xdist refuses to run when its workers collect different
    ids, and a parameter with a random UUID in it (an unknown job's address) is different in each. Its id
    shows ``UUID`` instead; the test still gets the random value."""
    if isinstance(val, str) and _UUID.search(val):
        return _UUID.sub("UUID", val)
    return None


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if _HARNESS_REPORT:
        terminalreporter.section("govsquare test harness")
        for line in _HARNESS_REPORT:
            terminalreporter.write_line(line)


def _empty_the_suites_cache() -> None:
    """Drop the cache entries of earlier runs (e.g. Wagtail's rendition cache keyed by ids that a fresh
    test database hands out again), and the tasks left in the suite's queue. Only this session's: the
    prefix and the queue name carry the xdist worker's name (settings/test.py)."""
    if not settings.REDIS_URL:
        return
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        stale = list(client.scan_iter(match=f"*:{prefix}:*", count=1000))
        for start in range(0, len(stale), 500):
            client.delete(*stale[start : start + 500])
        client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    finally:
        client.close()


def _empty_the_suites_files() -> None:
    """Remove the files an earlier run of this session's name left in its folders (settings/test.py)."""
    root = Path(settings.TEST_FILES_ROOT)
    for folder in (settings.MEDIA_ROOT, settings.EXPORT_ROOT):
        if Path(folder).is_relative_to(root):
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(request: pytest.FixtureRequest, django_db_modify_db_settings, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    """``django_db_modify_db_settings`` (pytest-django's) gives an xdist worker its test database name:
    ``test_govsquare_gw0`` and so on."""
    with django_db_blocker.unblock():
        test_name = connection.creation._get_test_db_name()
        prepared = prepare_test_database(test_name=test_name)
    _empty_the_suites_cache()
    _empty_the_suites_files()
    how = "built" if prepared.built_template else "reused"
    _say(
        request.config,
        f"\n[govsquare] test database {prepared.name} from template {prepared.template} ({how}) "
        f"in {prepared.seconds:.2f}s",
    )


@pytest.fixture
def world(_world: World, django_db_blocker) -> World:  # type: ignore[no-untyped-def]
    """The session's world with the organisations read afresh, so no test sees another's in-memory changes."""
    with django_db_blocker.unblock():
        orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=[_world.org_a.pk, _world.org_b.pk])}
    return World(
        org_a=orgs[_world.org_a.pk],
        org_b=orgs[_world.org_b.pk],
        people=_world.people,
        creation_seconds=_world.creation_seconds,
    )


@pytest.fixture(scope="session")
def _world(request: pytest.FixtureRequest, django_db_setup, django_db_blocker) -> World:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        ensure_template_schema()
        started = time.perf_counter()
        org_a = organisation_create(name="Organisation A", slug="org-a")
        org_b = organisation_create(name="Organisation B", slug="org-b")
        seconds = time.perf_counter() - started
        worker = _worker_id(request.config)
        _say(
            request.config,
            f"[govsquare] created org A and org B by cloning the template in {seconds:.2f}s"
            + (f" (xdist worker {worker})" if worker else ""),
        )
        people = {
            person.key: person
            for person in [
                make_person(key="a_member", email="member@org-a.example", roles={org_a: Role.MEMBER}),
                make_person(key="a_editor", email="editor@org-a.example", roles={org_a: Role.EDITOR}),
                make_person(key="a_admin", email="admin@org-a.example", roles={org_a: Role.ADMINISTRATOR}),
                make_person(key="b_member", email="member@org-b.example", roles={org_b: Role.MEMBER}),
                make_person(key="citizen", email="citizen@mail.example", roles={}),
                make_person(
                    key="a_editor_b_member",
                    email="both@org-a.example",
                    roles={org_a: Role.EDITOR, org_b: Role.MEMBER},
                ),
            ]
        }
    return World(org_a=org_a, org_b=org_b, people=people, creation_seconds=seconds)


@pytest.fixture(scope="session", autouse=True)
def _registered_hosts(django_test_environment) -> None:  # type: ignore[no-untyped-def]
    """Django's test set-up turns ALLOWED_HOSTS into a plain list (adding "testserver"); put the
    registry-aware host list back, as in every real profile."""
    settings.ALLOWED_HOSTS = RegisteredHosts(list(settings.ALLOWED_HOSTS))


@pytest.fixture(autouse=True)
def _back_to_public_schema():  # type: ignore[no-untyped-def]
    """Every test starts and ends in the public schema, whatever it switched to."""
    yield
    connection.set_schema_to_public()
