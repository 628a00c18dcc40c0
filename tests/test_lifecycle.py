"""Every lifecycle operation on an organisation, its audit trail, and "and the other organisation?"."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from wagtail.models import Page, Site

from govsquare.layout import REPO_ROOT
from shared_apps.accounts.models import Account, Invitation, LocalUserLink
from shared_apps.accounts.services.invitations import invitation_create
from sites.blueprints import INTRANET
from tenant_apps.members.selectors import role_of
from tenants import provisioning, services
from tenants.audit import Actor
from tenants.models import AuditEvent, Domain, EmailDomain, Job, Organisation, PoolSchema
from tenants.pool import pool_drain_stale, pool_refill, pool_size
from tenants.provisioning import (
    ProvisioningFailed,
    organisation_create,
    organisation_provision_run,
    organisation_provision_submit,
)
from tenants.roles import Role
from tests.accounts_support import account_mails_inline  # noqa: F401 (autouse: the e-mails' task runs when queued)
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db
OPERATOR = Actor.operator("ops@platform.example")


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _audit(slug: str) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(organisation_slug=slug).order_by("id").values_list("actor", "action", "outcome")
    )


# --- provisioning -----------------------------------------------------------------------------------


def test_provisioning_goes_through_visible_states_and_is_audited(world):
    job = organisation_provision_submit(
        actor=OPERATOR, name="Water Board", slug="water", email_domains=["Water.example"]
    )

    assert (job.state, job.step) == (Job.State.QUEUED, "queued")
    reserved = Organisation.objects.get(slug="water")
    assert reserved.status == Organisation.Status.PROVISIONING
    assert client_for(reserved).get("/").status_code == 503  # "being set up", never a half-made site

    seen = []
    organisation = organisation_provision_run(job=job, progress=lambda step, percent: seen.append((step, percent)))

    job.refresh_from_db()
    assert [step for step, _ in seen] == ["creating_schema", "seeding_site", "inviting_admin", "ready"]
    assert (job.state, job.step, job.error) == (Job.State.READY, "ready", "")
    assert organisation.status == Organisation.Status.ACTIVE
    assert list(EmailDomain.objects.filter(organisation=organisation).values_list("domain", flat=True)) == [
        "water.example"
    ]
    assert _audit("water") == [
        (OPERATOR.label, "organisation.provision.request", "success"),
        (OPERATOR.label, "organisation.provision", "success"),
    ]
    assert client_for(organisation).get("/").status_code == 200


def test_a_refused_request_is_audited_with_its_reasons_and_writes_nothing_else(world):
    with pytest.raises(ValidationError):
        organisation_provision_submit(actor=OPERATOR, name="", slug="Bad Slug", blueprint="casino")
    event = AuditEvent.objects.get(action="organisation.provision.request", organisation_slug="Bad Slug")
    assert event.actor == OPERATOR.label and event.outcome == "failure"
    assert "name:" in event.detail["error"] and "blueprint:" in event.detail["error"]
    assert not Organisation.objects.filter(name="").exists() and not Job.objects.filter(organisation_slug="Bad Slug")


def test_blueprint_decides_pages_visibility_and_branding(world):
    organisation = organisation_create(name="Have Your Say", slug="say", blueprint="participation")
    assert organisation.default_visibility == "public"
    assert organisation.enabled_apps == ["news", "events", "documents", "groups"]
    assert (organisation.blueprint, organisation.blueprint_version) == ("participation", 2)
    with tenant_context(organisation):
        home = Site.objects.get().root_page
        assert [p.slug for p in home.get_children()] == ["news", "events", "documents"]  # groups: blocks, no section
        assert all(p.show_in_menus for p in home.get_children())
    assert world.org_a.default_visibility == "organisation"


def test_only_enabled_apps_get_a_section(world):
    organisation = organisation_create(name="Small", slug="small", apps=["documents"])
    with tenant_context(organisation):
        assert [p.slug for p in Site.objects.get().root_page.get_children()] == ["documents"]


def _source(slug: str) -> str:
    return AuditEvent.objects.get(organisation_slug=slug, action="organisation.provision").detail["schema_source"]


def test_a_schema_from_the_warm_pool_is_a_rename_with_the_site_personalised(world):
    assert pool_refill(size=1, blueprints=[INTRANET]) == 1
    assert pool_size(blueprint=INTRANET) == 1

    organisation = organisation_create(name="Pooled Ministry", slug="pooled", admin_email="boss@pooled.example")

    assert _source("pooled") == "pool" and pool_size(blueprint=INTRANET) == 0
    assert Invitation.objects.filter(organisation=organisation).count() == 1
    response = client_for(organisation).get("/")
    assert response.status_code == 200 and b"Pooled Ministry" in response.content
    assert b"placeholder" not in response.content
    with tenant_context(organisation):
        site = Site.objects.get()
        assert (site.hostname, site.site_name) == ("pooled.govsquare.localhost", "Pooled Ministry")
        home = site.root_page.specific
        assert home.title == home.draft_title == "Pooled Ministry" and "Pooled Ministry" in home.intro
        assert home.get_latest_revision_as_object().title == "Pooled Ministry"  # what the editor opens
        assert list(Page.objects.search("Pooled")) == [home.page_ptr]
        assert [p.slug for p in home.get_children()] == ["news", "events", "knowledge-base", "documents", "colleagues"]


def test_the_pool_is_not_used_for_other_apps_or_another_blueprint(world):
    pool_refill(size=1, blueprints=[INTRANET])
    organisation_create(name="Custom Apps", slug="custom-apps", apps=["news"])
    organisation_create(name="Participation", slug="part", blueprint="participation")
    assert _source("custom-apps") == "template" and _source("part") == "template"
    assert pool_size(blueprint=INTRANET) == 1


def test_stale_pool_schemas_are_dropped(world):
    pool_refill(size=1, blueprints=[INTRANET])
    entry = PoolSchema.objects.get()
    PoolSchema.objects.filter(pk=entry.pk).update(blueprint_version=0)
    assert pool_size(blueprint=INTRANET) == 0
    assert pool_drain_stale() == 1
    assert not _schema_exists(entry.name) and not PoolSchema.objects.exists()


def test_a_failed_provisioning_records_the_reason_in_job_and_audit(world, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(provisioning, "seed_site", explode)
    job = organisation_provision_submit(actor=OPERATOR, name="X", slug="doomed")
    with pytest.raises(ProvisioningFailed, match="disk full"):
        organisation_provision_run(job=job)

    job.refresh_from_db()
    assert (job.state, job.step) == (Job.State.FAILED, "seeding_site") and "disk full" in job.error
    assert not Organisation.objects.filter(slug="doomed").exists() and not _schema_exists("doomed")
    failure = AuditEvent.objects.get(organisation_slug="doomed", action="organisation.provision")
    assert failure.outcome == "failure" and "disk full" in failure.detail["error"]


def test_first_administrator_is_invited_and_becomes_administrator_on_first_sign_in(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organisation = organisation_create(name="Invited", slug="invited", admin_email="Boss@Invited.example")

    invitation = Invitation.objects.get(organisation=organisation)
    assert (invitation.email, invitation.role, invitation.accepted_at) == (
        "Boss@invited.example",
        "administrator",
        None,
    )
    assert len(mailoutbox) == 1 and "invited.govsquare.localhost" in mailoutbox[0].body

    boss = make_person(key="boss", email="boss@invited.example")  # the account is made after the invitation
    user = boss.local_user(organisation)
    with tenant_context(organisation):
        assert role_of(user=user) == Role.ADMINISTRATOR
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert role_of(user=boss.local_user(world.org_a)) is None  # and in the other organisation: nothing


def test_an_existing_account_can_be_invited_too(world):
    invitation_create(organisation=world.org_b, email=world.a_member.email, role=Role.EDITOR, actor=OPERATOR)
    with tenant_context(world.org_b):
        assert role_of(user=world.a_member.local_user(world.org_b)) == Role.EDITOR
    with tenant_context(world.org_a):
        assert role_of(user=world.a_member.local_user(world.org_a)) == Role.MEMBER


# --- name and domains --------------------------------------------------------------------------------


def test_rename_changes_registry_and_site_of_that_organisation_only(world):
    services.organisation_rename(organisation=world.org_a, name="Organisation A Renamed", actor=OPERATOR)
    with tenant_context(world.org_a):
        assert Site.objects.get().site_name == "Organisation A Renamed"
    with tenant_context(world.org_b):
        assert Site.objects.get().site_name == "Organisation B"
    with pytest.raises(ValidationError):
        services.organisation_rename(organisation=world.org_a, name="  ", actor=OPERATOR)
    assert _audit("org-a")[-2:] == [  # the failure is recorded too
        (OPERATOR.label, "organisation.rename", "success"),
        (OPERATOR.label, "organisation.rename", "failure"),
    ]


def test_domains_add_make_primary_redirect_and_remove(world):
    services.organisation_domain_add(organisation=world.org_a, domain="Intranet.Org-A.example", actor=OPERATOR)
    response = client_for(None, host="intranet.org-a.example").get("/news/")
    assert response.status_code == 301 and response["Location"] == "http://org-a.govsquare.localhost/news/"

    services.organisation_domain_set_primary(organisation=world.org_a, domain="intranet.org-a.example", actor=OPERATOR)
    assert client_for(None, host="intranet.org-a.example").get("/").status_code == 200
    moved = client_for(world.org_a).get("/events/")
    assert moved.status_code == 301 and moved["Location"] == "http://intranet.org-a.example/events/"
    with tenant_context(world.org_a):
        assert Site.objects.get().hostname == "intranet.org-a.example"
    with tenant_context(world.org_b):
        assert Site.objects.get().hostname == "org-b.govsquare.localhost"

    with pytest.raises(ValidationError, match="primary domain"):
        services.organisation_domain_remove(organisation=world.org_a, domain="intranet.org-a.example", actor=OPERATOR)
    services.organisation_domain_remove(organisation=world.org_a, domain="org-a.govsquare.localhost", actor=OPERATOR)
    assert client_for(world.org_a).get("/").content == b"Not found.\n"


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("org-b.govsquare.localhost", "already in use"),  # the other organisation's
        ("govsquare.localhost", "shared space"),
        ("not a domain", "not a host name"),
        ("https://x.example/", "not a host name"),
        ("x" * 64 + ".example", "not a valid"),
    ],
)
def test_bad_domains_are_refused_and_change_nothing(world, domain, message):
    before = list(Domain.objects.values_list("domain", "tenant_id", "is_primary"))
    with pytest.raises(ValidationError, match=message):
        services.organisation_domain_add(organisation=world.org_a, domain=domain, actor=OPERATOR)
    assert list(Domain.objects.values_list("domain", "tenant_id", "is_primary")) == before


def test_removing_a_domain_of_another_organisation_is_refused(world):
    with pytest.raises(ValidationError, match="not a domain of Organisation A"):
        services.organisation_domain_remove(
            organisation=world.org_a, domain="org-b.govsquare.localhost", actor=OPERATOR
        )
    assert Domain.objects.filter(domain="org-b.govsquare.localhost").exists()


def test_email_domains_add_and_remove(world):
    services.organisation_email_domain_add(organisation=world.org_a, domain="Minaz.example", actor=OPERATOR)
    assert list(world.org_a.email_domains.values_list("domain", flat=True)) == ["minaz.example"]
    with pytest.raises(ValidationError):
        services.organisation_email_domain_remove(organisation=world.org_b, domain="minaz.example", actor=OPERATOR)
    services.organisation_email_domain_remove(organisation=world.org_a, domain="minaz.example", actor=OPERATOR)
    assert not world.org_a.email_domains.exists()


# --- suspension ------------------------------------------------------------------------------------------


def test_suspend_shows_a_suspended_page_keeps_data_and_resume_brings_it_back(world):
    services.organisation_suspend(organisation=world.org_a, reason="unpaid invoice", actor=OPERATOR)

    response = client_for(world.org_a, person=world.a_editor).get("/admin/")
    assert response.status_code == 503
    assert b"Organisation A is suspended" in response.content and b"unpaid invoice" not in response.content
    assert client_for(world.org_b).get("/").status_code == 200  # the other organisation is untouched
    with tenant_context(world.org_a):
        assert Site.objects.get().root_page.get_children().count() == 5

    with pytest.raises(ValidationError, match="is suspended"):
        services.organisation_suspend(organisation=world.org_a, reason="again", actor=OPERATOR)
    services.organisation_resume(organisation=world.org_a, actor=OPERATOR)
    assert client_for(world.org_a).get("/").status_code == 200
    assert [action for _, action, _ in _audit("org-a") if "provision" not in action] == [
        "organisation.suspend",
        "organisation.suspend",
        "organisation.resume",
    ]


# --- deletion ------------------------------------------------------------------------------------------------


def test_deletion_needs_an_export_or_force(world):
    with pytest.raises(ValidationError, match="never been exported"):
        services.organisation_schedule_deletion(organisation=world.org_a, actor=OPERATOR)
    assert Organisation.objects.get(pk=world.org_a.pk).status == Organisation.Status.ACTIVE
    world.org_a.last_exported_at = timezone.now()
    services.organisation_schedule_deletion(organisation=world.org_a, actor=OPERATOR)
    assert world.org_a.status == Organisation.Status.PENDING_DELETION


def test_scheduled_deletion_can_be_restored_during_the_grace_period(world, settings):
    settings.ORGANISATION_DELETION_GRACE_DAYS = 30
    services.organisation_schedule_deletion(organisation=world.org_a, force=True, actor=OPERATOR)
    assert (world.org_a.deletion_due_at - timezone.now()).days in (29, 30)
    assert client_for(world.org_a).get("/").status_code == 410
    assert client_for(world.org_b).get("/").status_code == 200
    with pytest.raises(ValidationError, match="can still be restored"):
        services.organisation_purge(organisation=world.org_a, actor=OPERATOR)

    services.organisation_restore(organisation=world.org_a, actor=OPERATOR)
    assert client_for(world.org_a).get("/").status_code == 200
    assert _schema_exists("org_a")


def test_purge_removes_schema_rows_and_links_but_keeps_accounts(world):
    organisation = organisation_create(name="Short Lived", slug="short-lived")
    person = make_person(key="p", email="p@short.example", roles={organisation: Role.EDITOR})
    services.organisation_schedule_deletion(organisation=organisation, force=True, actor=OPERATOR)
    Organisation.objects.filter(pk=organisation.pk).update(deletion_due_at=timezone.now())

    assert services.organisations_purge_due(actor=Actor.system("scheduler")) == ["short-lived"]

    assert not _schema_exists("short_lived")
    assert not Organisation.objects.filter(slug="short-lived").exists()
    assert not Domain.objects.filter(domain="short-lived.govsquare.localhost").exists()
    assert not LocalUserLink.objects.filter(schema_name="short_lived").exists()
    assert Account.objects.filter(pk=person.account.pk).exists()
    assert _schema_exists("org_a") and _schema_exists("org_b")
    assert client_for(None, host="short-lived.govsquare.localhost").get("/").status_code == 404
    assert _audit("short-lived")[-1] == ("system:scheduler", "organisation.delete.purge", "success")


def test_purge_job_reports_its_progress(world):
    organisation = organisation_create(name="Gone", slug="gone")
    services.organisation_schedule_deletion(organisation=organisation, force=True, actor=OPERATOR)
    job = services.organisation_purge_request(
        organisation=organisation, actor=OPERATOR, ignore_grace=True, enqueue=False
    )
    steps = []
    services.organisation_purge_run(job=job, progress=lambda step, percent: steps.append(step))
    job.refresh_from_db()
    assert job.state == Job.State.READY and steps == ["dropping_schema", "ready"]
    assert not _schema_exists("gone")


def test_operations_on_an_organisation_in_the_wrong_state_are_refused(world):
    with pytest.raises(ValidationError, match="active"):
        services.organisation_resume(organisation=world.org_b, actor=OPERATOR)
    with pytest.raises(ValidationError):
        services.organisation_restore(organisation=world.org_b, actor=OPERATOR)
    with pytest.raises(ValidationError):
        services.organisation_purge(organisation=world.org_b, actor=OPERATOR, ignore_grace=True)
    assert _schema_exists("org_b")


def test_the_registrys_tasks_are_known_by_name_in_a_fresh_process_not_only_in_the_worker():
    """Services queue the registry's tasks by name (``current_app.tasks[...]``); a plain ``manage.py`` process
    (``make run``'s demo data, with a warm pool to refill) must know them without a worker's autodiscovery."""
    probe = "from celery import current_app; print(current_app.tasks['tenants.pool_refill'].name)"
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), "shell", "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "govsquare.settings.test"},
        timeout=120,
    )
    assert result.returncode == 0 and result.stdout.strip().endswith("tenants.pool_refill"), result.stderr[-2000:]
