"""The operator API on the shared space: token authentication, provisioning as a job, the lifecycle, errors."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from govsquare.celery import app as celery_app
from shared_apps.accounts.models import Account
from shared_apps.operator.services import (
    account_set_platform_operator,
    operator_token_create,
    operator_token_revoke,
)
from tenants.archive.export import organisation_export_run
from tenants.audit import Actor
from tenants.jobs import job_create, job_mark, job_publish_step
from tenants.models import AuditEvent, Domain, Job, OperatorToken, Organisation
from tenants.provisioning import organisation_create, organisation_provision_run
from tenants.services import organisation_purge_run
from tests.harness.clients import client_for
from tests.harness.people import Person, make_person

pytestmark = pytest.mark.django_db

#: A job id no job has (fixed, so every test process collects the same test ids).
UNKNOWN_JOB_ID = "00000000-0000-4000-8000-000000000000"


BASE = "/api/operator/v1"


# --- Helpers ------------------------------------------------------------------------------------------


@pytest.fixture
def operator(world) -> Person:
    person = make_person(key="operator", email="ops@platform.example", name="Olga Operator")
    account_set_platform_operator(account=person.account, value=True)
    return person


@pytest.fixture
def key(operator) -> str:
    _, raw_key = operator_token_create(account=operator.account, name="ci")
    return raw_key


@pytest.fixture
def api(key) -> Api:
    client = client_for(None)
    client.handler.enforce_csrf_checks = True  # API clients send no CSRF token: bearer auth needs none
    return Api(client, key)


@pytest.fixture
def scratch(world) -> Organisation:
    """An organisation of this test's own (rolled back with it), for the destructive steps."""
    return organisation_create(name="Scratch Office", slug="scratch", email_domains=["scratch.example"])


class Api:
    """Calls to the operator API with a bearer key (or none)."""

    def __init__(self, client: Client, key: str | None) -> None:
        self.client = client
        self.key = key

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, **params: Any):  # type: ignore[no-untyped-def]
        return self.client.get(BASE + path, params, headers=self._headers())

    def post(self, path: str, data: dict | None = None):  # type: ignore[no-untyped-def]
        """POST ``data`` as JSON; without data, an empty body (as ``curl -X POST`` sends)."""
        body = data if data is not None else ""
        return self.client.post(BASE + path, body, content_type="application/json", headers=self._headers())

    def patch(self, path: str, data: dict):  # type: ignore[no-untyped-def]
        return self.client.patch(BASE + path, data, content_type="application/json", headers=self._headers())

    def delete(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.delete(BASE + path, headers=self._headers())


def _sent_tasks(monkeypatch) -> list[tuple[str, list]]:  # type: ignore[no-untyped-def]
    """Record the Celery tasks sent (instead of sending them to the broker)."""
    sent: list[tuple[str, list]] = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args=None, **kwargs: sent.append((name, list(args or [])))
    )
    return sent


# --- Authentication -------------------------------------------------------------------------------------


def test_without_a_token_the_api_answers_401(world):
    response = Api(client_for(None), None).get("/organisations")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "operator token" in response.json()["detail"]


@pytest.mark.parametrize(
    "bad_key",
    ["nonsense", "gsq_12345678_wrong-secret", "gsq__", "Basic dXNlcjpwYXNz", "gsq_zzzzzzzz_x"],
)
def test_an_unknown_or_malformed_token_answers_401(world, key, bad_key):
    response = Api(client_for(None), bad_key).get("/organisations")
    assert response.status_code == 401


def test_a_right_prefix_with_a_wrong_secret_answers_401(world, key):
    forged = key.rsplit("_", 1)[0] + "_" + "x" * 43
    assert Api(client_for(None), forged).get("/organisations").status_code == 401


def test_a_session_of_an_operator_is_not_enough_for_the_api(world, operator):
    response = client_for(None, person=operator).get(f"{BASE}/organisations")
    assert response.status_code == 401


def test_a_valid_token_works_and_its_use_is_recorded(world, operator, key, api):
    response = api.get("/organisations")

    assert response.status_code == 200
    token = OperatorToken.objects.get(account=operator.account)
    assert token.last_used_at is not None
    assert token.key_hash != key and key not in token.key_hash  # only the hash is stored
    assert key.startswith(f"gsq_{token.prefix}_")


def test_a_revoked_token_answers_401(world, operator, key, api):
    operator_token_revoke(token=OperatorToken.objects.get(account=operator.account))
    assert api.get("/organisations").status_code == 401


def test_a_token_of_a_demoted_operator_answers_403(world, operator, key, api):
    account_set_platform_operator(account=Account.objects.get(pk=operator.account.pk), value=False)

    response = api.get("/organisations")

    assert response.status_code == 403
    assert "not a platform operator" in response.json()["detail"]


def test_a_token_of_an_inactive_account_answers_401(world, operator, key, api):
    Account.objects.filter(pk=operator.account.pk).update(is_active=False)
    assert api.get("/organisations").status_code == 401


def test_tokens_are_only_made_for_operators(world):
    citizen = make_person(key="not_an_operator", email="nobody@platform.example")
    with pytest.raises(Exception, match="not a platform operator"):
        operator_token_create(account=citizen.account, name="ci")
    assert not OperatorToken.objects.filter(account=citizen.account).exists()


# --- Reachable only on the shared space -------------------------------------------------------------------


@pytest.mark.parametrize("org", ["org_a", "org_b"])
@pytest.mark.parametrize("path", ["/organisations", "/openapi.json", "/docs", f"/jobs/{UNKNOWN_JOB_ID}"])
def test_the_api_does_not_exist_on_an_organisations_host(world, key, org, path):
    organisation = getattr(world, org)
    client = client_for(organisation)
    # (Django's APPEND_SLASH may first redirect to the path with a slash: Wagtail's catch-all, a 404 too.)
    response = client.get(BASE + path, headers={"Authorization": f"Bearer {key}"}, follow=True)

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_the_api_is_not_reachable_on_an_organisations_custom_domain_either(world, key):
    Domain.objects.filter(tenant=world.org_b).update(is_primary=False)
    Domain.objects.create(tenant=world.org_b, domain="intranet.org-b.example", is_primary=True)

    client = client_for(None, host="intranet.org-b.example")
    response = client.get(f"{BASE}/organisations", headers={"Authorization": f"Bearer {key}"}, follow=True)

    assert response.status_code == 404


# --- OpenAPI -------------------------------------------------------------------------------------------------


def test_openapi_lists_the_paths_and_the_docs_page_answers(world):
    client = client_for(None)
    schema = client.get(f"{BASE}/openapi.json").json()

    paths = schema["paths"]
    for path in [
        "/organisations",
        "/organisations/{slug}",
        "/organisations/{slug}/suspend",
        "/organisations/{slug}/resume",
        "/organisations/{slug}/domains",
        "/organisations/{slug}/domains/{domain}",
        "/organisations/{slug}/domains/{domain}/primary",
        "/organisations/{slug}/email-domains",
        "/organisations/{slug}/email-domains/{domain}",
        "/organisations/{slug}/export",
        "/organisations/{slug}/delete",
        "/organisations/{slug}/restore",
        "/organisations/{slug}/purge",
        "/organisations/{slug}/audit",
        "/jobs/{job_id}",
    ]:
        assert f"{BASE}{path}" in paths, path
    assert set(paths[f"{BASE}/organisations"]) == {"get", "post"}
    assert set(paths[f"{BASE}/organisations/{{slug}}"]) == {"get", "patch"}
    assert schema["components"]["securitySchemes"]["OperatorBearer"]["scheme"] == "bearer"
    assert client.get(f"{BASE}/docs").status_code == 200


# --- Organisations -------------------------------------------------------------------------------------------


def test_list_and_show_organisations(world, api):
    listed = api.get("/organisations").json()
    by_slug = {entry["slug"]: entry for entry in listed}

    assert {"org-a", "org-b"} <= by_slug.keys()
    assert by_slug["org-a"]["primary_domain"] == world.org_a.platform_host
    assert by_slug["org-a"]["status"] == "active"

    shown = api.get("/organisations/org-b").json()
    assert shown["name"] == "Organisation B"
    assert shown["domains"] == [{"domain": world.org_b.platform_host, "is_primary": True}]

    assert [o["slug"] for o in api.get("/organisations", status="suspended").json()] == []


def test_create_answers_202_queues_one_task_after_commit_and_the_job_ends_ready(
    world, api, monkeypatch, django_capture_on_commit_callbacks
):
    sent = _sent_tasks(monkeypatch)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(
            "/organisations",
            {
                "name": "Ministry of Tests",
                "slug": "min-tests",
                "domains": ["min-tests.govsquare.localhost", "intranet.tests.example"],
                "email_domains": ["tests.example"],
                "blueprint": "participation",
                "admin_email": "boss@tests.example",
                "apps": ["news"],
            },
        )

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "provision" and body["state"] == "queued" and body["percent"] == 0
    assert body["requested_by"] == "token:ci (ops@platform.example)"
    assert sent == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [("tenants.provision", [body["id"]])]

    organisation = Organisation.objects.get(slug="min-tests")
    assert organisation.status == Organisation.Status.PROVISIONING
    job = Job.objects.get(pk=body["id"])
    organisation_provision_run(job=job)

    done = api.get(f"/jobs/{body['id']}").json()
    assert (done["state"], done["step"], done["percent"], done["error"]) == ("ready", "ready", 100, "")
    assert done["finished_at"] is not None and done["result"] == {"schema": "min_tests"}
    shown = api.get("/organisations/min-tests").json()
    assert shown["status"] == "active"
    assert shown["primary_domain"] == "min-tests.govsquare.localhost"
    assert shown["email_domains"] == ["tests.example"]
    assert shown["enabled_apps"] == ["news"] and shown["blueprint"] == "participation"


def test_create_with_bad_input_answers_422_with_field_errors_and_creates_nothing(
    world, api, monkeypatch, django_capture_on_commit_callbacks
):
    sent = _sent_tasks(monkeypatch)
    organisations, jobs = Organisation.objects.count(), Job.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(
            "/organisations",
            {
                "name": " ",
                "slug": "Not A Slug",
                "domains": ["bad domain!"],
                "blueprint": "castle",
                "admin_email": "not-an-address",
                "apps": ["news", "casino"],
            },
        )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"name", "slug", "domains", "blueprint", "admin_email", "apps"} <= errors.keys()
    assert "casino" in " ".join(errors["apps"]) and "castle" in " ".join(errors["blueprint"])
    assert (Organisation.objects.count(), Job.objects.count()) == (organisations, jobs)
    assert callbacks == [] and sent == []


def test_create_with_a_taken_slug_or_domain_answers_422(world, api):
    taken_slug = api.post("/organisations", {"name": "Again", "slug": "org-a"})
    taken_domain = api.post(
        "/organisations", {"name": "Other", "slug": "other", "domains": [world.org_b.platform_host]}
    )

    assert taken_slug.status_code == 422 and "already exists" in taken_slug.json()["errors"]["slug"][0]
    assert taken_domain.status_code == 422 and "already in use" in taken_domain.json()["errors"]["domains"][0]
    assert not Organisation.objects.filter(slug="other").exists()


def test_create_with_missing_or_mistyped_fields_answers_422_in_the_same_shape(world, api):
    response = api.post("/organisations", {"domains": "not-a-list"})

    assert response.status_code == 422
    assert {"name", "slug", "domains"} <= response.json()["errors"].keys()


# --- Lifecycle ------------------------------------------------------------------------------------------------


def test_rename(world, api, scratch):
    response = api.patch("/organisations/scratch", {"name": "Scratch Agency"})
    assert response.status_code == 200 and response.json()["name"] == "Scratch Agency"
    assert Organisation.objects.get(slug="scratch").name == "Scratch Agency"

    refused = api.patch("/organisations/scratch", {"name": "  "})
    assert refused.status_code == 422
    assert refused.json()["errors"]["name"] == ["A name of 1 to 200 characters is required."]


def test_automatic_joining_of_staff_can_be_switched_off_and_on(world, api, scratch):
    assert api.get("/organisations/scratch").json()["auto_join_staff"] is True
    off = api.patch("/organisations/scratch", {"auto_join_staff": False})
    assert off.status_code == 200 and off.json()["auto_join_staff"] is False
    assert Organisation.objects.get(slug="scratch").auto_join_staff is False
    assert Organisation.objects.get(slug="org-a").auto_join_staff is True  # the other organisation keeps its own
    assert AuditEvent.objects.filter(organisation_slug="scratch", action="organisation.auto_join.set").exists()
    assert api.patch("/organisations/scratch", {"auto_join_staff": True}).json()["auto_join_staff"] is True


def test_suspend_and_resume(world, api, scratch):
    suspended = api.post("/organisations/scratch/suspend", {"reason": "Unpaid invoice"})
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended" and suspended.json()["suspension_reason"] == "Unpaid invoice"

    again = api.post("/organisations/scratch/suspend", {"reason": "twice"})
    assert again.status_code == 422 and "__all__" in again.json()["errors"]

    no_body = api.post("/organisations/scratch/suspend")  # the body is optional; still refused: already suspended
    assert no_body.status_code == 422 and "__all__" in no_body.json()["errors"]

    resumed = api.post("/organisations/scratch/resume")
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    assert api.post("/organisations/scratch/resume").status_code == 422


def test_domains_add_make_primary_and_remove(world, api, scratch):
    added = api.post("/organisations/scratch/domains", {"domain": "Intranet.Scratch.Example"})
    assert added.status_code == 201
    assert {"domain": "intranet.scratch.example", "is_primary": False} in added.json()["domains"]

    taken = api.post("/organisations/scratch/domains", {"domain": world.org_a.platform_host})
    assert taken.status_code == 422 and "already in use" in taken.json()["errors"]["domain"][0]
    bad = api.post("/organisations/scratch/domains", {"domain": "not a domain"})
    assert bad.status_code == 422 and "domain" in bad.json()["errors"]

    primary = api.post("/organisations/scratch/domains/intranet.scratch.example/primary")
    assert primary.status_code == 200 and primary.json()["primary_domain"] == "intranet.scratch.example"

    refused = api.delete("/organisations/scratch/domains/intranet.scratch.example")
    assert refused.status_code == 422 and "primary domain" in refused.json()["errors"]["domain"][0]

    removed = api.delete("/organisations/scratch/domains/scratch.govsquare.localhost")
    assert removed.status_code == 200
    assert removed.json()["domains"] == [{"domain": "intranet.scratch.example", "is_primary": True}]

    unknown = api.delete("/organisations/scratch/domains/elsewhere.example")
    assert unknown.status_code == 422 and "is not a domain of" in unknown.json()["errors"]["domain"][0]

    with_primary = api.post("/organisations/scratch/domains", {"domain": "new.scratch.example", "primary": True})
    assert with_primary.status_code == 201 and with_primary.json()["primary_domain"] == "new.scratch.example"


def test_email_domains_add_and_remove(world, api, scratch):
    added = api.post("/organisations/scratch/email-domains", {"domain": "Mail.Scratch.Example"})
    assert added.status_code == 201
    assert added.json()["email_domains"] == ["mail.scratch.example", "scratch.example"]

    removed = api.delete("/organisations/scratch/email-domains/scratch.example")
    assert removed.status_code == 200 and removed.json()["email_domains"] == ["mail.scratch.example"]

    unknown = api.delete("/organisations/scratch/email-domains/scratch.example")
    assert unknown.status_code == 422 and "is not an e-mail domain" in unknown.json()["errors"]["domain"][0]


def test_export_answers_202_queues_one_task_and_then_deletion_needs_no_force(
    world, api, scratch, monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EXPORT_ROOT = str(tmp_path / "exports")
    sent = _sent_tasks(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post("/organisations/scratch/export")

    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["kind"], body["state"], body["organisation_slug"]) == ("export", "queued", "scratch")
    assert len(callbacks) == 1 and sent == [("tenants.export", [body["id"]])]

    organisation_export_run(job=Job.objects.select_related("organisation").get(pk=body["id"]))

    done = api.get(f"/jobs/{body['id']}").json()
    assert done["state"] == "ready" and done["result"]["archive"].startswith(str(tmp_path))
    assert api.get("/organisations/scratch").json()["last_exported_at"] is not None
    assert api.post("/organisations/scratch/delete", {"force": False}).json()["status"] == "pending_deletion"


def test_schedule_deletion_restore_and_purge(world, api, scratch, monkeypatch, django_capture_on_commit_callbacks):
    sent = _sent_tasks(monkeypatch)
    never_exported = api.post("/organisations/scratch/delete", {"force": False})
    assert never_exported.status_code == 422
    assert "never been exported" in never_exported.json()["errors"]["__all__"][0]

    assert api.post("/organisations/scratch/purge", {"ignore_grace": True}).status_code == 422  # not scheduled

    scheduled = api.post("/organisations/scratch/delete", {"force": True})
    assert scheduled.status_code == 200
    assert scheduled.json()["status"] == "pending_deletion" and scheduled.json()["deletion_due_at"]

    restored = api.post("/organisations/scratch/restore")
    assert restored.status_code == 200 and restored.json()["status"] == "active"
    assert restored.json()["deletion_due_at"] is None
    assert api.post("/organisations/scratch/restore").status_code == 422

    api.post("/organisations/scratch/delete", {"force": True})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = api.post("/organisations/scratch/purge", {"ignore_grace": True})
    assert queued.status_code == 202 and queued.json()["kind"] == "delete" and queued.json()["state"] == "queued"
    assert len(callbacks) == 1 and sent == [("tenants.delete", [queued.json()["id"]])]

    organisation_purge_run(job=Job.objects.select_related("organisation").get(pk=queued.json()["id"]))

    assert api.get(f"/jobs/{queued.json()['id']}").json()["state"] == "ready"
    assert api.get("/organisations/scratch").status_code == 404


def test_the_audit_trail_names_the_token_and_its_operator(world, api, scratch):
    api.post("/organisations/scratch/suspend", {"reason": "maintenance"})
    api.post("/organisations/scratch/suspend", {"reason": "twice"})

    events = api.get("/organisations/scratch/audit").json()

    assert [(e["action"], e["outcome"]) for e in events[:2]] == [
        ("organisation.suspend", "failure"),
        ("organisation.suspend", "success"),
    ]
    assert {e["actor"] for e in events[:2]} == {Actor.token("ci", "ops@platform.example").label}
    assert events[1]["detail"] == {"reason": "maintenance"}
    assert AuditEvent.objects.filter(organisation_slug="scratch", action="organisation.provision").exists()


def test_jobs_of_an_organisation(world, api, scratch):
    jobs = api.get("/organisations/scratch/jobs").json()
    assert [(j["kind"], j["state"]) for j in jobs] == [("provision", "ready")]


def test_a_persons_own_data_job_is_not_an_operators_job(world, api):
    """One job model holds organisations' jobs and people's data jobs; the operator sees only the former."""
    job = Job.objects.create(
        kind=Job.Kind.PERSONAL_EXPORT, account_id=world.citizen.account.pk, requested_by="account:someone"
    )
    response = api.get(f"/jobs/{job.pk}")
    assert response.status_code == 404 and "No " in response.json()["detail"]
    assert api.get(f"/jobs/{Job.objects.filter(kind=Job.Kind.PROVISION).first().pk}").status_code == 200


# --- 404s ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/organisations/nowhere"),
        ("patch", "/organisations/nowhere"),
        ("post", "/organisations/nowhere/suspend"),
        ("post", "/organisations/nowhere/resume"),
        ("post", "/organisations/nowhere/domains"),
        ("delete", "/organisations/nowhere/domains/x.example"),
        ("post", "/organisations/nowhere/domains/x.example/primary"),
        ("post", "/organisations/nowhere/email-domains"),
        ("delete", "/organisations/nowhere/email-domains/x.example"),
        ("post", "/organisations/nowhere/export"),
        ("post", "/organisations/nowhere/delete"),
        ("post", "/organisations/nowhere/restore"),
        ("post", "/organisations/nowhere/purge"),
        ("get", "/organisations/nowhere/audit"),
        ("get", "/organisations/nowhere/jobs"),
        ("get", f"/jobs/{UNKNOWN_JOB_ID}"),
        ("get", "/jobs/not-a-job-id"),
    ],
)
def test_unknown_organisations_and_jobs_answer_404(world, api, method, path):
    bodies = {"patch": {"name": "x"}, "post": {"domain": "x.example", "reason": "", "force": True}}
    call = getattr(api, method)
    response = call(path, bodies[method]) if method in bodies else call(path)

    assert response.status_code == 404, response.content
    assert "No " in response.json()["detail"]


# --- Live progress ------------------------------------------------------------------------------------------


def test_a_running_job_shows_its_live_step(world, api, scratch):
    job = job_create(kind=Job.Kind.PROVISION, organisation=scratch, requested_by="test")
    job_mark(job=job, state=Job.State.RUNNING, step="creating_schema")
    job_publish_step(job=job, step="seeding_site", percent=50)

    shown = api.get(f"/jobs/{job.pk}").json()

    assert (shown["state"], shown["step"], shown["percent"], shown["is_finished"]) == (
        "running",
        "seeding_site",
        50,
        False,
    )
    assert shown["started_at"] is not None and shown["finished_at"] is None


# --- The commands ---------------------------------------------------------------------------------------------


def test_operator_grant_and_token_create_commands(world):
    person = make_person(key="cli_operator", email="cli-ops@platform.example")
    out = StringIO()

    call_command("operator_grant", "CLI-OPS@platform.example", stdout=out)
    assert Account.objects.get(pk=person.account.pk).is_platform_operator
    assert "is a platform operator" in out.getvalue()

    out, err = StringIO(), StringIO()
    call_command("operator_token_create", "cli-ops@platform.example", "terraform", stdout=out, stderr=err)
    raw_key = out.getvalue().strip()
    assert raw_key.startswith("gsq_") and "shown only once" in err.getvalue()
    assert Api(client_for(None), raw_key).get("/organisations").status_code == 200
    token = OperatorToken.objects.get(account=person.account)
    assert token.name == "terraform" and raw_key not in token.key_hash

    call_command("operator_grant", "cli-ops@platform.example", "--revoke", stdout=StringIO())
    assert Api(client_for(None), raw_key).get("/organisations").status_code == 403
    assert AuditEvent.objects.filter(action="operator.revoke", actor__startswith="cli:").exists()

    with pytest.raises(CommandError, match="not a platform operator"):
        call_command("operator_token_create", "cli-ops@platform.example", "again", stdout=StringIO())
    with pytest.raises(CommandError, match="No account"):
        call_command("operator_grant", "nobody@nowhere.example", stdout=StringIO())
