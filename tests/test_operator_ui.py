"""The operator pages on the shared space: who gets in, the create form round trip, the job page, the actions."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.timezone import localtime

from govsquare.celery import app as celery_app
from shared_apps.accounts.models import Account
from shared_apps.operator.services import account_set_platform_operator
from tenants import provisioning
from tenants.jobs import job_create, job_mark, job_publish_step
from tenants.models import AuditEvent, Domain, EmailDomain, Job, Organisation
from tenants.provisioning import ProvisioningFailed, organisation_create, organisation_provision_run
from tenants.services import organisation_purge_run
from tests.harness.clients import client_for
from tests.harness.people import Person, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(world) -> Person:
    person = make_person(key="operator", email="ops@platform.example", name="Olga Operator")
    account_set_platform_operator(account=person.account, value=True)
    return person


@pytest.fixture
def browser(operator) -> Client:
    return client_for(None, person=operator)


@pytest.fixture
def scratch(world) -> Organisation:
    return organisation_create(name="Scratch Office", slug="scratch")


@pytest.fixture
def no_tasks(monkeypatch) -> list[tuple[str, list]]:  # type: ignore[no-untyped-def]
    sent: list[tuple[str, list]] = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args=None, **kwargs: sent.append((name, list(args or [])))
    )
    return sent


def _action(browser: Client, slug: str, action: str, **data: str):  # type: ignore[no-untyped-def]
    return browser.post(f"/operator/organisations/{slug}/{action}/", data)


# --- Who gets in ------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = client_for(None).get("/operator/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/operator/"


@pytest.mark.parametrize("key", ["a_admin", "citizen", "a_editor_b_member"])
@pytest.mark.parametrize(
    "path", ["/operator/", "/operator/organisations/new/", "/operator/organisations/org-a/", "/operator/jobs/"]
)
def test_people_who_are_not_operators_get_403(world, key, path):
    if path == "/operator/jobs/":
        job = Job.objects.filter(organisation=world.org_a).first()
        path = f"/operator/jobs/{job.pk}/"
    response = client_for(None, person=getattr(world, key)).get(path)

    assert response.status_code == 403
    assert b"Operators only" in response.content


def test_a_non_operator_cannot_change_anything(world):
    response = _action(client_for(None, person=world.a_admin), "org-a", "suspend", reason="mine now")

    assert response.status_code == 403
    assert Organisation.objects.get(slug="org-a").status == Organisation.Status.ACTIVE


def test_a_demoted_operator_is_refused_at_once(world, operator, browser):
    assert browser.get("/operator/").status_code == 200
    account_set_platform_operator(account=Account.objects.get(pk=operator.account.pk), value=False)
    assert browser.get("/operator/").status_code == 403


@pytest.mark.parametrize("org", ["org_a", "org_b"])
@pytest.mark.parametrize("path", ["/operator/", "/operator/organisations/new/", "/operator/organisations/org-a/"])
def test_the_operator_pages_do_not_exist_on_an_organisations_host(world, operator, org, path):
    organisation = getattr(world, org)
    response = client_for(organisation, person=operator).get(path)
    assert response.status_code == 404
    posted = client_for(organisation, person=operator).post("/operator/organisations/org-a/suspend/", {"reason": "x"})
    assert posted.status_code == 404
    assert Organisation.objects.get(slug="org-a").status == Organisation.Status.ACTIVE


def test_changes_need_the_csrf_token(world, browser):
    browser.handler.enforce_csrf_checks = True

    response = _action(browser, "org-a", "suspend", reason="no token")

    assert response.status_code == 403
    assert Organisation.objects.get(slug="org-a").status == Organisation.Status.ACTIVE


# --- The list ---------------------------------------------------------------------------------------------


def test_the_list_shows_status_primary_domain_and_creation(world, browser):
    Organisation.objects.filter(slug="org-b").update(status=Organisation.Status.SUSPENDED)

    page = browser.get("/operator/").content.decode()

    assert "Organisation A" in page and "Organisation B" in page
    assert world.org_a.platform_host in page and world.org_b.platform_host in page
    assert "Suspended" in page and "Active" in page
    assert localtime(world.org_a.created_at).strftime("%Y-%m-%d %H:%M") in page


# --- Creating an organisation ---------------------------------------------------------------------------------


def test_the_create_form_offers_the_blueprints_and_the_apps(world, browser):
    page = browser.get("/operator/organisations/new/").content.decode()

    assert 'value="intranet"' in page and 'value="participation"' in page
    for app in ["news", "events", "knowledge-base", "documents", "people", "groups"]:
        assert f'value="{app}"' in page
    assert "csrfmiddlewaretoken" in page


def test_a_refused_form_comes_back_with_the_errors_and_the_input_kept(world, browser, no_tasks):
    before = Organisation.objects.count()
    response = browser.post(
        "/operator/organisations/new/",
        {
            "name": "Ministry of Typos",
            "slug": "Bad Slug",
            "domains": "typos.example\nnot a domain!",
            "email_domains": "typos.example",
            "blueprint": "participation",
            "admin_email": "not-an-address",
            "apps": ["events", "casino"],
        },
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="Ministry of Typos"' in page and 'value="Bad Slug"' in page
    assert "typos.example\nnot a domain!" in page
    assert 'value="not-an-address"' in page
    assert '<option value="participation" selected>' in page
    assert re.search(r'value="events"[^>]*checked', page) and not re.search(r'value="news"[^>]*checked', page)
    assert "not a valid e-mail address" in page
    assert "casino" in page  # the unknown app is named
    assert page.count('class="errors"') >= 4
    assert Organisation.objects.count() == before and no_tasks == []


def test_a_taken_slug_is_shown_on_the_slug_field(world, browser):
    response = browser.post("/operator/organisations/new/", {"name": "Again", "slug": "org-a"})
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["slug"] == ["An organisation with the slug 'org-a' already exists."]


def test_create_queues_provisioning_and_the_job_page_follows_it_to_ready(
    world, browser, no_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = browser.post(
            "/operator/organisations/new/",
            {"name": "Water Board", "slug": "water", "domains": "", "blueprint": "intranet", "apps": ["news"]},
        )

    job = Job.objects.get(organisation_slug="water")
    assert response.status_code == 302 and response["Location"] == f"/operator/jobs/{job.pk}/"
    assert len(callbacks) == 1 and no_tasks == [("tenants.provision", [str(job.pk)])]
    assert job.requested_by == "operator:ops@platform.example"

    queued = browser.get(response["Location"]).content.decode()
    assert 'id="job-state">queued<' in queued
    for step in ["Queued", "Creating schema", "Seeding site", "Ready"]:
        assert step in queued
    assert f"/operator/jobs/{job.pk}.json" in queued and "<script nonce=" in queued

    polled = browser.get(f"/operator/jobs/{job.pk}.json").json()
    assert (polled["state"], polled["step"], polled["percent"], polled["is_finished"]) == ("queued", "queued", 0, False)

    organisation_provision_run(job=job)

    polled = browser.get(f"/operator/jobs/{job.pk}.json").json()
    assert (polled["state"], polled["step"], polled["percent"], polled["is_finished"]) == ("ready", "ready", 100, True)
    ready = browser.get(f"/operator/jobs/{job.pk}/").content.decode()
    assert 'id="job-state">ready<' in ready and "<script" not in ready
    assert Organisation.objects.get(slug="water").status == Organisation.Status.ACTIVE


def test_a_failed_provisioning_shows_the_reason(world, browser, no_tasks, monkeypatch):
    browser.post("/operator/organisations/new/", {"name": "Broken Office", "slug": "broken"})
    job = Job.objects.get(organisation_slug="broken")

    def fail(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the seeding machine is out of seeds")

    monkeypatch.setattr(provisioning, "seed_site", fail)
    with pytest.raises(ProvisioningFailed):
        organisation_provision_run(job=job)

    page = browser.get(f"/operator/jobs/{job.pk}/").content.decode()
    assert 'id="job-state">failed<' in page
    assert "Failed: RuntimeError: the seeding machine is out of seeds" in page
    assert browser.get(f"/operator/jobs/{job.pk}.json").json()["error"].endswith("out of seeds")


def test_unknown_jobs_and_organisations_are_404(world, browser):
    assert browser.get("/operator/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert browser.get("/operator/jobs/00000000-0000-0000-0000-000000000000.json").status_code == 404
    assert browser.get("/operator/organisations/nowhere/").status_code == 404
    assert _action(browser, "nowhere", "suspend", reason="x").status_code == 404
    assert _action(browser, "org-a", "explode").status_code == 404


# --- The organisation page and its actions -------------------------------------------------------------------


def test_the_organisation_page_shows_domains_jobs_and_the_audit_trail(world, browser, scratch):
    EmailDomain.objects.create(organisation=scratch, domain="scratch.example")

    page = browser.get("/operator/organisations/scratch/").content.decode()

    assert "scratch.govsquare.localhost" in page and "(primary)" in page
    assert "scratch.example" in page
    assert "provision" in page and "Ready" in page  # its provisioning job
    assert "organisation.provision" in page  # the audit trail
    assert "Suspend" in page and "Schedule deletion" in page and "Purge now" not in page


def test_rename_and_a_refused_rename_keeps_the_input(world, browser, scratch):
    done = _action(browser, "scratch", "rename", name="Scratch Agency")
    assert done.status_code == 302 and done["Location"] == "/operator/organisations/scratch/"
    assert Organisation.objects.get(slug="scratch").name == "Scratch Agency"
    assert "The organisation was renamed." in browser.get(done["Location"]).content.decode()

    refused = _action(browser, "scratch", "rename", name="x" * 201)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert f'value="{"x" * 201}"' in page
    assert "A name of 1 to 200 characters is required." in page
    assert Organisation.objects.get(slug="scratch").name == "Scratch Agency"


def test_suspend_and_resume(world, browser, scratch):
    assert _action(browser, "scratch", "suspend", reason="Unpaid invoice").status_code == 302
    organisation = Organisation.objects.get(slug="scratch")
    assert organisation.status == Organisation.Status.SUSPENDED and organisation.suspension_reason == "Unpaid invoice"
    page = browser.get("/operator/organisations/scratch/").content.decode()
    assert "Unpaid invoice" in page and "Resume" in page

    refused = _action(browser, "scratch", "suspend", reason="again")
    assert refused.status_code == 422
    assert "this needs it to be active" in refused.content.decode()
    assert 'value="again"' in refused.content.decode()

    assert _action(browser, "scratch", "resume").status_code == 302
    assert Organisation.objects.get(slug="scratch").status == Organisation.Status.ACTIVE
    event = AuditEvent.objects.filter(organisation_slug="scratch", action="organisation.resume").get()
    assert event.actor == "operator:ops@platform.example"


def test_domains_add_make_primary_and_remove(world, browser, scratch):
    assert _action(browser, "scratch", "domain-add", domain="intranet.scratch.example").status_code == 302
    refused = _action(browser, "scratch", "domain-add", domain="not a domain", primary="on")
    assert refused.status_code == 422
    page = refused.content.decode()
    assert 'value="not a domain"' in page and 'name="primary" checked' in page

    assert _action(browser, "scratch", "domain-primary", domain="intranet.scratch.example").status_code == 302
    assert Organisation.objects.get(slug="scratch").primary_host() == "intranet.scratch.example"

    cannot = _action(browser, "scratch", "domain-remove", domain="intranet.scratch.example")
    assert cannot.status_code == 422 and "make another domain primary first" in cannot.content.decode()

    assert _action(browser, "scratch", "domain-remove", domain="scratch.govsquare.localhost").status_code == 302
    assert list(Domain.objects.filter(tenant__slug="scratch").values_list("domain", flat=True)) == [
        "intranet.scratch.example"
    ]

    assert _action(browser, "scratch", "domain-add", domain="new.scratch.example", primary="on").status_code == 302
    assert Organisation.objects.get(slug="scratch").primary_host() == "new.scratch.example"


def test_email_domains_add_and_remove(world, browser, scratch):
    assert _action(browser, "scratch", "email-domain-add", domain="Mail.Scratch.Example").status_code == 302
    assert list(EmailDomain.objects.filter(organisation__slug="scratch").values_list("domain", flat=True)) == [
        "mail.scratch.example"
    ]
    refused = _action(browser, "scratch", "email-domain-remove", domain="other.example")
    assert refused.status_code == 422 and "is not an e-mail domain of" in refused.content.decode()
    assert _action(browser, "scratch", "email-domain-remove", domain="mail.scratch.example").status_code == 302
    assert not EmailDomain.objects.filter(organisation__slug="scratch").exists()


def test_export_queues_a_job_and_shows_it(world, browser, scratch, no_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(browser, "scratch", "export")

    job = Job.objects.get(organisation_slug="scratch", kind=Job.Kind.EXPORT)
    assert response.status_code == 302 and response["Location"] == f"/operator/jobs/{job.pk}/"
    assert no_tasks == [("tenants.export", [str(job.pk)])]
    page = browser.get(response["Location"]).content.decode()
    assert "The export is queued." in page and 'id="job-state">queued<' in page
    assert "Reading database" in page and "Writing archive" in page


def test_schedule_deletion_restore_and_purge(world, browser, scratch, no_tasks, django_capture_on_commit_callbacks):
    refused = _action(browser, "scratch", "delete")
    assert refused.status_code == 422 and "has never been exported" in refused.content.decode()

    assert _action(browser, "scratch", "delete", force="on").status_code == 302
    organisation = Organisation.objects.get(slug="scratch")
    assert organisation.status == Organisation.Status.PENDING_DELETION and organisation.deletion_due_at
    page = browser.get("/operator/organisations/scratch/").content.decode()
    assert "Restore" in page and "Purge now" in page

    assert _action(browser, "scratch", "restore").status_code == 302
    assert Organisation.objects.get(slug="scratch").status == Organisation.Status.ACTIVE

    assert _action(browser, "scratch", "delete", force="on").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        purged = _action(browser, "scratch", "purge", ignore_grace="on")
    job = Job.objects.get(organisation_slug="scratch", kind=Job.Kind.DELETE)
    assert purged.status_code == 302 and purged["Location"] == f"/operator/jobs/{job.pk}/"
    assert no_tasks == [("tenants.delete", [str(job.pk)])]

    organisation_purge_run(job=Job.objects.select_related("organisation").get(pk=job.pk))

    page = browser.get(f"/operator/jobs/{job.pk}/").content.decode()
    assert 'id="job-state">ready<' in page and "To the organisation" not in page
    assert browser.get("/operator/organisations/scratch/").status_code == 404


def test_the_job_page_shows_the_step_a_running_job_is_at(world, browser, scratch):
    job = job_create(kind=Job.Kind.PROVISION, organisation=scratch, requested_by="test")
    job_mark(job=job, state=Job.State.RUNNING, step="creating_schema")
    job_publish_step(job=job, step="seeding_site", percent=50)

    page = browser.get(f"/operator/jobs/{job.pk}/").content.decode()

    assert 'id="job-state">running<' in page and 'id="job-step">Seeding site<' in page
    assert '<li class="step-done" data-step="creating_schema">' in page
    assert '<li class="step-current" data-step="seeding_site">' in page
    assert '<li class="step-pending" data-step="ready">' in page
