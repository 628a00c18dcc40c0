"""``make run`` on a machine without PostgreSQL or Redis, and its demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from govsquare.layout import REPO_ROOT
from shared_apps.group_discussions.models import Discussion, Reply
from shared_apps.group_events.models import GroupEvent
from shared_apps.group_files.models import GroupFile
from shared_apps.group_wiki.models import WikiPage
from shared_apps.groups.models import Group, GroupMembership
from tenant_apps.featured_groups.models import FeaturedGroup
from tenants.models import Organisation
from tenants.schemas import in_schema

RUN_LOCAL = REPO_ROOT / "deploy" / "run_local.py"


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    prelude = f"import runpy; ns = runpy.run_path({str(RUN_LOCAL)!r}); "
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "-c", prelude + code], env=clean | env, capture_output=True, text=True, timeout=120
    )


def test_without_postgresql_it_starts_an_embedded_server_and_says_so(tmp_path):
    code = (
        "url, server = ns['find_database'](); ns['ensure_database'](url); import psycopg; "
        "conn = psycopg.connect(url.replace('postgres://', 'postgresql://')); "
        "print('VERSION', conn.execute('SHOW server_version').fetchone()[0]); "
        "print('DATABASE', conn.execute('SELECT current_database()').fetchone()[0]); conn.close()"
    )
    result = _run(code, LOCAL_POSTGRES="127.0.0.1:1", LOCAL_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "EMBEDDED PostgreSQL" in result.stdout
    assert "DATABASE govsquare" in result.stdout
    assert (tmp_path / "postgres" / "PG_VERSION").exists()


def test_without_redis_it_warns_that_tasks_run_inline():
    result = _run("print('URL', repr(ns['find_redis']()))", LOCAL_REDIS="127.0.0.1:1")
    assert result.returncode == 0, result.stderr
    assert "URL ''" in result.stdout
    assert "run INLINE" in result.stdout


def test_with_the_local_services_it_uses_them():
    result = _run("print('URL', ns['find_database']()[0], ns['find_redis']())")
    assert "URL postgres://postgres@127.0.0.1:5432/govsquare redis://127.0.0.1:6379/0" in result.stdout
    assert "test_govsquare" not in result.stdout  # make run never touches the test database


@pytest.mark.django_db
def test_demo_data_is_created_once_and_reused(world):
    first, second = StringIO(), StringIO()
    call_command("demo_data", stdout=first)
    call_command("demo_data", stdout=second)

    assert "organisation interior" in first.getvalue() and "account citizen@example.org" in first.getvalue()
    assert "Created: nothing (all present)" in second.getvalue()
    assert "http://interior.govsquare.localhost:8000/" in second.getvalue()
    assert "editor@interior.example" in second.getvalue()
    # A living shared space: groups of every kind, members of both organisations and a citizen, content.
    assert "group klimaatadaptatie" in first.getvalue()
    assert set(Group.objects.values_list("visibility", flat=True)) == {"open", "closed", "hidden"}
    members = set(GroupMembership.objects.values_list("account__email", flat=True))
    assert {"member@utrecht.example", "admin@interior.example", "citizen@example.org"} <= members
    for model in (Discussion, Reply, GroupEvent, GroupFile, WikiPage):
        assert model.objects.exists(), model
    interior = Organisation.objects.get(slug="interior")
    with in_schema(interior):
        assert FeaturedGroup.objects.count() == 2
