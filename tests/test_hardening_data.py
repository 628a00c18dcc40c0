"""Issue 13, hardening: the data defects (1, 4, 5, 6), each with a test that failed before its fix."""

from __future__ import annotations

import importlib
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from django_tenants.utils import tenant_context
from wagtail.models import Site

from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.accounts.personal_data import export, requests
from tenant_apps.pages.models import ContentPage
from tenants import services
from tenants.audit import Actor, audited
from tenants.models import AuditEvent, EmailDomain
from tenants.provisioning import organisation_create
from tenants.roles import Role
from tests.harness.clients import client_for
from tests.harness.people import make_person

OPERATOR = Actor.operator("ops@platform.example")

pytestmark = pytest.mark.django_db


# --- defect 1: an organisation's name is text, never markup, in its home's introduction -------------------


def test_a_name_with_markup_shows_as_text_on_the_home_page(world):
    organisation = organisation_create(name="<script>alert(1)</script>", slug="markup-name")

    body = client_for(organisation).get("/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body


# --- defect 4: administrators read their organisation's own trail, keyed by its id, never by its slug ----


def _trail(organisation, person, query: str = "") -> tuple[int, str]:
    response = client_for(organisation, person=person).get(f"/admin/audit-trail/{query}")
    return response.status_code, response.content.decode()


def test_a_reused_slug_does_not_inherit_the_old_organisations_trail(world):
    old = organisation_create(name="First Holder", slug="reused")
    old_id = old.pk
    services.organisation_rename(organisation=old, name="First Holder Renamed", actor=OPERATOR)
    services.organisation_schedule_deletion(organisation=old, force=True, actor=OPERATOR)
    services.organisation_purge(organisation=old, actor=OPERATOR, ignore_grace=True)

    new = organisation_create(name="Second Holder", slug="reused")
    admin = make_person(key="reused_admin", email="admin@reused.example", roles={new: Role.ADMINISTRATOR})
    status, body = _trail(new, admin)

    assert status == 200
    assert "organisation.provision.request" in body  # the new organisation's own creation
    assert "First Holder Renamed" not in body and "organisation.rename" not in body
    assert "organisation.delete.purge" not in body
    old_events = AuditEvent.objects.filter(organisation_id=old_id)
    assert {"organisation.rename", "organisation.delete.purge"} <= set(old_events.values_list("action", flat=True))
    assert not AuditEvent.objects.filter(organisation_id=new.pk, action="organisation.rename").exists()


def test_an_event_written_with_a_slug_only_is_keyed_by_that_organisations_id(world):
    with audited(actor=OPERATOR, action="test.by_slug", organisation_slug=world.org_a.slug):
        pass
    with audited(actor=OPERATOR, action="test.no_organisation"):
        pass
    assert AuditEvent.objects.get(action="test.by_slug").organisation_id == world.org_a.pk
    assert AuditEvent.objects.get(action="test.no_organisation").organisation_id is None


def test_the_trail_is_read_only_newest_first_paginated_and_filtered_by_action(world):
    for number in range(55):
        with audited(actor=OPERATOR, action="test.step", organisation=world.org_a, number=number):
            pass
    with audited(actor=OPERATOR, action="test.other", organisation=world.org_a, marker="other-event"):
        pass
    with audited(actor=OPERATOR, action="test.in_b", organisation=world.org_b, marker="b-only-event"):
        pass

    status, first = _trail(world.org_a, world.a_admin)
    assert status == 200
    assert first.index("other-event") < first.index("number: 54") < first.index("number: 50")
    assert "number: 0<" not in first and "Page 1 of 2" in first  # 50 a page
    assert "b-only-event" not in first  # and from the other organisation? never its events
    _, second = _trail(world.org_a, world.a_admin, "?p=2")
    assert "number: 0<" in second and "other-event" not in second

    _, filtered = _trail(world.org_a, world.a_admin, "?action=test.other")
    assert "other-event" in filtered and "number: 54" not in filtered

    assert client_for(world.org_a, person=world.a_admin).post("/admin/audit-trail/").status_code == 405
    assert "/admin/audit-trail/" in client_for(world.org_a, person=world.a_admin).get("/admin/").content.decode()


def test_the_migration_keys_existing_events_by_the_id_of_the_slugs_current_holder_since_its_creation(world):
    migration = importlib.import_module("tenants.migrations.0008_audit_by_organisation_id")
    before = AuditEvent.objects.create(actor="x", action="test.before", organisation_slug="org-a", outcome="success")
    after = AuditEvent.objects.create(actor="x", action="test.after", organisation_slug="org-a", outcome="success")
    AuditEvent.objects.filter(pk=before.pk).update(at=world.org_a.created_at - timedelta(days=1))
    AuditEvent.objects.filter(pk__in=[before.pk, after.pk]).update(organisation_id=None)

    migration.ids_from_slugs(django_apps, None)

    assert AuditEvent.objects.get(pk=after.pk).organisation_id == world.org_a.pk
    assert AuditEvent.objects.get(pk=before.pk).organisation_id is None  # an earlier holder's event


@pytest.mark.parametrize("who", ["a_member", "a_editor", "b_member", "citizen"])
def test_only_the_organisations_administrators_read_its_trail(world, who):
    with audited(actor=OPERATOR, action="test.secret", organisation=world.org_a, marker="secret-event"):
        pass
    status, body = _trail(world.org_a, world.people[who])
    assert status != 200 and "secret-event" not in body
    assert "secret-event" not in client_for(world.org_a).get("/admin/audit-trail/").content.decode()
    # the administrator of org A in org B's admin: not an administrator there
    status, body = _trail(world.org_b, world.a_admin)
    assert status != 200 and "secret-event" not in body


# --- defect 5: the platform directory names only the organisations the viewer shares with the person -------
# A membership is the organisation's own information: its directory is for its members. A viewer who shares an
# organisation with the person sees them there anyway; any other membership is none of the viewer's business.


@pytest.fixture
def directory_world(world):  # type: ignore[no-untyped-def]
    """Org A's and org B's staff are civil servants; Bo Both (editor in A, member in B) has a public profile."""
    EmailDomain.objects.create(organisation=world.org_a, domain="org-a.example")
    EmailDomain.objects.create(organisation=world.org_b, domain="org-b.example")
    for key in ("a_member", "b_member", "a_editor_b_member", "citizen"):
        account = world.people[key].account
        AccountEmail.objects.filter(account=account).delete()
        AccountEmail.objects.create(account=account, email=account.email, is_primary=True, verified_at=timezone.now())
    Account.objects.filter(pk=world.a_editor_b_member.account.pk).update(display_name="Bo Both", profile_public=True)
    return world


@pytest.mark.parametrize(
    ("viewer", "shown", "hidden"),
    [
        ("a_member", ["Organisation A"], ["Organisation B"]),
        ("b_member", ["Organisation B"], ["Organisation A"]),
        ("a_editor_b_member", ["Organisation A", "Organisation B"], []),  # their own profile
        ("citizen", [], ["Organisation A", "Organisation B"]),
        (None, [], ["Organisation A", "Organisation B"]),  # anonymous
    ],
)
def test_the_platform_directory_shows_only_the_organisations_the_viewer_shares(directory_world, viewer, shown, hidden):
    world = directory_world
    client = client_for(None, person=world.people[viewer] if viewer else None)
    both = world.a_editor_b_member.account.pk
    for url in ("/people/", f"/people/{both}/", "/"):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200 and "Bo Both" in body, url
        profile = next(item for item in body.split('<li class="profile">')[1:] if "Bo Both" in item)
        organisations = profile.split("</li>")[0]
        for name in shown:
            assert name in organisations, (url, name)
        for name in hidden:
            assert name not in organisations, (url, name)


# --- defect 6: "Export my data" holds the person's own contributions, not other people's later edits -------


@pytest.fixture
def _export_folders(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"


def _export_of(person) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    job = requests.personal_data_export_request(account=person.account)
    path = export.personal_data_export_run(job=job)
    with zipfile.ZipFile(Path(path)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_holds_the_persons_revision_not_a_colleagues_later_edit(world, _export_folders):
    person, colleague = world.a_editor, world.a_editor_b_member
    with tenant_context(world.org_a):
        author = person.local_user(world.org_a)
        page = Site.objects.get().root_page.add_child(
            instance=ContentPage(
                title="Owned page", slug="owned-page", body="<p>Written by the owner</p>", owner=author
            )
        )
        page.save_revision(user=author).publish()
        page.refresh_from_db()
        page.title, page.body = "Retitled by a colleague", "<p>Rewritten by a colleague</p>"
        page.save_revision(user=colleague.local_user(world.org_a)).publish()

    files = _export_of(person)

    everything = b"".join(files.values())
    assert b"Rewritten by a colleague" not in everything and b"Retitled by a colleague" not in everything
    revisions = json.loads(files["organisations/org-a/revisions.json"])
    assert [r["object_id"] for r in revisions] == [str(page.pk)]
    assert "Written by the owner" in revisions[0]["content"]["body"]
    pages = json.loads(files["organisations/org-a/pages.json"])
    assert [p["id"] for p in pages] == [page.pk] and pages[0]["title"] == "Owned page"
    # and the colleague's export: their edit, not the owner's text
    theirs = b"".join(_export_of(colleague).values())
    assert b"Rewritten by a colleague" in theirs and b"Written by the owner" not in theirs


def test_the_export_holds_nothing_from_an_organisation_the_person_has_left(world, _export_folders):
    person = world.a_editor_b_member
    with tenant_context(world.org_b):
        user = person.local_user(world.org_b)
        Site.objects.get().root_page.add_child(
            instance=ContentPage(title="Left behind", slug="left-behind", body="<p>Left behind in B</p>", owner=user)
        ).save_revision(user=user)
        user.groups.clear()  # no role left in B: the person has left

    files = _export_of(person)

    assert not [name for name in files if name.startswith("organisations/org-b/")]
    assert b"Left behind in B" not in b"".join(files.values())
    assert [m["slug"] for m in json.loads(files["memberships.json"]) if m["slug"]] == ["org-a"]
