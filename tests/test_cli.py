"""The organisation commands: thin over the services, one line and exit status != 0 on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from govsquare.layout import REPO_ROOT
from tenants.models import AuditEvent, Organisation

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_org_create_shows_progress_and_creates_a_working_organisation(world):
    out, err = run(
        "org_create", "cli-made", "--name", "Made On The CLI", "--email-domain", "cli.example",
        "--admin-email", "boss@cli.example", "--app", "news", "--app", "documents",
    )  # fmt: skip
    assert "cli-made is ready on cli-made.govsquare.localhost" in out
    assert "creating schema" in err and "seeding site" in err and "100% ready" in err
    organisation = Organisation.objects.get(slug="cli-made")
    assert organisation.enabled_apps == ["news", "documents"]
    assert AuditEvent.objects.filter(organisation_slug="cli-made", actor__startswith="cli:").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["org_create", "public", "--name", "X"], "slug: The slug 'public' is reserved"),
        (["org_create", "UPPER", "--name", "X"], "slug: The slug may contain only"),
        (["org_create", "good-slug", "--name", "X", "--blueprint", "nope"], "blueprint: Unknown blueprint 'nope'"),
        (["org_create", "good-slug", "--name", "X", "--app", "casino"], "apps: Unknown app(s): casino"),
        (["org_create", "good-slug", "--name", "X", "--domain", "org-a.govsquare.localhost"], "already in use"),
        (["org_suspend", "no-such-org"], "No organisation with the slug 'no-such-org'"),
        (["org_resume", "org-a"], "needs it to be suspended"),
        (["org_domain_remove", "org-a", "org-a.govsquare.localhost"], "is the primary domain"),
        (["org_domain_add", "org-a", "bad domain"], "domain: 'bad domain' is not a host name"),
        (["org_delete", "org-a"], "never been exported"),
        (["org_delete", "org-a", "--force", "--now"], "add --yes to confirm"),
        (["org_restore", "org-a"], "needs it to be deletion scheduled"),
    ],
)
def test_failures_are_one_line_and_create_nothing(world, args, message):
    schemas_before = _schemas()
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert _schemas() == schemas_before
    assert not Organisation.objects.filter(slug="good-slug").exists()


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def test_lifecycle_through_the_commands(world):
    run("org_domain_add", "org-b", "intranet.org-b.example", "--primary")
    run("org_domain_remove", "org-b", "org-b.govsquare.localhost")
    run("org_domain_primary", "org-b", "intranet.org-b.example")
    run("org_rename", "org-b", "Organisation B Renamed")
    run("org_suspend", "org-b", "--reason", "maintenance")
    assert Organisation.objects.get(slug="org-b").status == "suspended"
    run("org_resume", "org-b")
    out, _ = run("org_delete", "org-b", "--force")
    assert "scheduled for deletion" in out and "org_restore org-b" in out
    run("org_restore", "org-b")

    shown = json.loads(run("org_show", "org-b", "--json")[0])
    assert shown["name"] == "Organisation B Renamed" and shown["status"] == "active"
    assert shown["domains"] == [{"domain": "intranet.org-b.example", "primary": True}]
    assert [e["action"] for e in shown["audit"]][:3] == [
        "organisation.delete.restore",
        "organisation.delete.schedule",
        "organisation.resume",
    ]
    listed = json.loads(run("org_list", "--json")[0])
    assert {row["slug"] for row in listed} >= {"org-a", "org-b"}
    assert "org-a" in run("org_list")[0]


def test_org_delete_now_purges_at_once(world):
    run("org_create", "brief", "--name", "Brief")
    out, err = run("org_delete", "brief", "--force", "--now", "--yes")
    assert "brief is deleted" in out and "100% ready" in err
    assert not Organisation.objects.filter(slug="brief").exists()
    assert "brief" not in _schemas()


def test_exit_status_and_one_line_reason_from_a_real_process(world):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "govsquare.settings.test",
        "DATABASE_NAME": connection.settings_dict["NAME"],
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "org_create", "pg-evil", "--name", "Evil"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "CommandError: slug: The slug 'pg-evil' is reserved by the platform."
