"""Fleet migrations: what is up to date is found in one query and skipped, what is behind is migrated in
worker processes, a broken schema is reported without stopping the others, and the command says so.

The fleet's workers are other processes and migrations commit, so these tests work on committed data
(``django_db_blocker.unblock()``), clean up after themselves and leave org A and org B fully migrated.
"""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from psycopg import sql

from govsquare.layout import REPO_ROOT
from sites.blueprints import DEFAULT_BLUEPRINT, blueprint_get
from tenants.fleet import _FLEET_LOCK_KEY, FleetError, fleet_migrate, fleet_plan
from tenants.models import Organisation, PoolSchema
from tenants.pool import pool_refill
from tenants.selectors import schemas_behind_migrations

# The migration org B is taken back by: a leaf whose reversal drops one column of an empty table.
# (Reversing people.0002 would delete the role groups, and org B's memberships with them; reversing
# org_pages.0001 would drop org B's site pages: other tests of the session rely on both.)
BEHIND_APP, BEHIND_TARGET = "wagtailembeds", "0008_allow_long_urls"
BROKEN_SCHEMA = "fleet_broken"


def _migrate(schema: str, *args: str) -> None:
    """Django's own migrate in one schema (as the fleet's workers run it)."""
    connection.set_schema(schema, include_public=False)
    try:
        call_command(DjangoMigrateCommand(), *args, interactive=False, verbosity=0)
    finally:
        connection.set_schema_to_public()


def _has_column(schema: str, table: str, column: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = %s AND column_name = %s",
            [schema, table, column],
        )
        return cursor.fetchone() is not None


def _take_back_one_migration(schema: str) -> None:
    _migrate(schema, BEHIND_APP, BEHIND_TARGET)
    assert schemas_behind_migrations(schema_names=[schema]) == {schema: 1}
    assert not _has_column(schema, "wagtailembeds_embed", "cache_until")


@pytest.fixture
def org_b_behind(world, django_db_blocker):  # type: ignore[no-untyped-def]
    """Org B one migration behind (Django's migrate backwards in its schema, committed); forward again after."""
    schema = world.org_b.schema_name
    with django_db_blocker.unblock():
        _take_back_one_migration(schema)
    yield schema
    with django_db_blocker.unblock():
        _migrate(schema)  # nothing to do when the fleet did its job
        assert schemas_behind_migrations(schema_names=[world.org_a.schema_name, schema]) == {}


@pytest.fixture
def org_a_and_a_pool_schema_behind(world, django_db_blocker):  # type: ignore[no-untyped-def]
    """Org A and a warm-pool schema one migration behind, the pool entry labelled with a stale template."""
    schema = world.org_a.schema_name
    with django_db_blocker.unblock():
        before = set(PoolSchema.objects.values_list("name", flat=True))
        pool_refill(size=len(before) + 1, blueprints=[blueprint_get(key=DEFAULT_BLUEPRINT)])
        pool = PoolSchema.objects.exclude(name__in=before).get()
        PoolSchema.objects.filter(pk=pool.pk).update(template="_template_of_older_code")
        _take_back_one_migration(schema)
        _take_back_one_migration(pool.name)
    yield schema, pool.name
    with django_db_blocker.unblock():
        _migrate(schema)
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(pool.name)))
        PoolSchema.objects.filter(pk=pool.pk).delete()
        assert schemas_behind_migrations(schema_names=[schema, world.org_b.schema_name]) == {}


@pytest.fixture
def broken_organisation(world, django_db_blocker):  # type: ignore[no-untyped-def]
    """A registered organisation whose schema cannot be migrated: a stray table where the first migration
    wants to create one (committed, removed afterwards)."""
    with django_db_blocker.unblock():
        organisation = Organisation.objects.create(name="Broken", slug="fleet-broken", schema_name=BROKEN_SCHEMA)
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(BROKEN_SCHEMA)))
            cursor.execute(
                sql.SQL("CREATE TABLE {}.django_content_type (id integer)").format(sql.Identifier(BROKEN_SCHEMA))
            )
    yield organisation
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(BROKEN_SCHEMA)))
        Organisation.objects.filter(pk=organisation.pk).delete()


def _statements(context: CaptureQueriesContext) -> list[str]:
    """The queries run, without django-tenants' ``SET search_path`` bookkeeping."""
    return [q["sql"] for q in context.captured_queries if not q["sql"].startswith("SET search_path")]


def test_the_plan_finds_what_is_behind_in_one_query_whatever_the_number_of_schemas(world, django_db_blocker):
    a, b = world.org_a.schema_name, world.org_b.schema_name
    with django_db_blocker.unblock():
        with CaptureQueriesContext(connection) as one_schema:
            fleet_plan(schemas=[a])
        with CaptureQueriesContext(connection) as every_schema:
            plan = fleet_plan()

    assert plan.behind == {}
    assert {a, b} <= set(plan.up_to_date)
    reading_migrations = [q for q in _statements(every_schema) if ".django_migrations" in q]
    assert len(reading_migrations) == 1 and f'"{a}".django_migrations' in reading_migrations[0]
    assert f'"{b}".django_migrations' in reading_migrations[0]
    assert len(_statements(every_schema)) == len(_statements(one_schema)) <= 4


def test_an_up_to_date_fleet_is_skipped_without_starting_a_worker(world, django_db_blocker):
    events = []
    with django_db_blocker.unblock():
        report = fleet_migrate(workers=2, progress=events.append)

    assert report.ok and report.migrated == [] and report.workers_used == 0
    assert report.public == "up to date" and not report.template_built
    assert {world.org_a.schema_name, world.org_b.schema_name} <= set(report.up_to_date)
    outcomes = {event.schema: event.outcome for event in events}
    assert outcomes[world.org_a.schema_name] == outcomes[world.org_b.schema_name] == "up to date"
    assert outcomes["public"] == outcomes[report.template] == "up to date"


def test_a_schema_behind_is_migrated_and_a_broken_one_is_reported_without_stopping_the_rest(
    world, org_b_behind, broken_organisation, django_db_blocker
):
    a = world.org_a.schema_name
    events = []
    with django_db_blocker.unblock():
        dry = StringIO()
        call_command("migrate_fleet", "--dry-run", "--schema", org_b_behind, "--schema", a, stdout=dry)
        assert schemas_behind_migrations(schema_names=[org_b_behind]) == {org_b_behind: 1}  # dry run: unchanged

        # One worker, broken schema first: the same worker process goes on to migrate org B.
        report = fleet_migrate(workers=1, schemas=[BROKEN_SCHEMA, org_b_behind, a], progress=events.append)

        assert _has_column(org_b_behind, "wagtailembeds_embed", "cache_until")
        assert schemas_behind_migrations(schema_names=[a, org_b_behind]) == {}

    assert f"{org_b_behind}: 1 leaf migration(s) behind: would be migrated" in dry.getvalue()
    assert f"{a}: up to date" in dry.getvalue()
    assert report.up_to_date == [a]
    assert report.migrated == [org_b_behind]
    assert [failure.schema for failure in report.failed] == [BROKEN_SCHEMA]
    assert "django_content_type" in report.failed[0].error and "already exists" in report.failed[0].error
    assert [(e.schema, e.outcome) for e in events if e.total] == [
        (a, "up to date"),
        (BROKEN_SCHEMA, "failed"),
        (org_b_behind, "migrated"),
    ]


def test_schemas_behind_are_migrated_in_parallel_workers_and_a_pool_schema_is_relabelled(
    world, org_a_and_a_pool_schema_behind, django_db_blocker
):
    org_a, pool = org_a_and_a_pool_schema_behind
    with django_db_blocker.unblock():
        report = fleet_migrate(workers=2)

        assert sorted(report.migrated) == sorted([org_a, pool]) and report.workers_used == 2
        assert report.ok and world.org_b.schema_name in report.up_to_date
        assert PoolSchema.objects.get(name=pool).template == report.template
        assert schemas_behind_migrations(schema_names=[org_a, pool]) == {}
        assert _has_column(org_a, "wagtailembeds_embed", "cache_until") and _has_column(
            pool, "wagtailembeds_embed", "cache_until"
        )


def test_the_command_exits_non_zero_naming_the_failed_schemas(world, broken_organisation):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "govsquare.settings.test",
        "DATABASE_NAME": connection.settings_dict["NAME"],
    }
    command = [sys.executable, "manage.py", "migrate_fleet", "--schema", BROKEN_SCHEMA, "--schema", "org_a"]
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "[1/2] org_a: up to date" in result.stdout
    assert f"[2/2] {BROKEN_SCHEMA}: failed" in result.stderr
    assert "1 up to date (skipped), 0 migrated, 1 failed" in result.stdout
    assert f"CommandError: 1 schema(s) failed to migrate: {BROKEN_SCHEMA}" in result.stderr


def test_an_unknown_schema_is_refused_before_anything_runs(world, django_db_blocker):
    with django_db_blocker.unblock():
        with pytest.raises(CommandError, match="Not an organisation or pool schema: no_such_schema"):
            call_command("migrate_fleet", "--schema", "no_such_schema", stdout=StringIO())
        with pytest.raises(FleetError, match="outside a transaction"), transaction.atomic():
            fleet_migrate(schemas=["org_a"])


def test_only_one_fleet_migration_runs_at_a_time(django_db_setup, django_db_blocker):
    params = connection.settings_dict
    with django_db_blocker.unblock():
        other = psycopg.connect(
            dbname=params["NAME"], user=params["USER"], host=params["HOST"] or None, port=params["PORT"] or None
        )
        try:
            other.execute("SELECT pg_advisory_lock(%s)", [_FLEET_LOCK_KEY])
            with pytest.raises(FleetError, match="Another fleet migration is running"):
                fleet_migrate(workers=1)
        finally:
            other.close()
