"""A person's own data: "export all my data" and "delete my account", everywhere, as background jobs."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django_tenants.utils import tenant_context
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from shared_apps.accounts import tasks
from shared_apps.accounts.models import Account, AccountEmail, Invitation, JoinRequest, LocalUserLink
from shared_apps.accounts.personal_data import erasure, export, jobs, requests
from shared_apps.people.models import User
from tenant_apps.members.selectors import role_of
from tenant_apps.pages.models import ContentPage
from tenants import organisation_hooks
from tenants.models import AuditEvent, Job
from tenants.roles import Role
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _folders(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"


def _png() -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (3, 2), (21, 66, 115)).save(buffer, format="PNG")
    return buffer.getvalue()


def _content(person, organisation, *, tag: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A page (owned, with a revision), a document and an image made by ``person`` in ``organisation``."""
    user = person.local_user(organisation)
    with tenant_context(organisation):
        home = Site.objects.get().root_page
        page = home.add_child(instance=ContentPage(title=f"Page {tag}", slug=f"page-{tag}", body=f"<p>Body {tag}</p>"))
        page.owner = user
        page.save()
        page.save_revision(user=user)
        document = get_document_model().objects.create(
            title=f"Document {tag}",
            file=ContentFile(f"text of {tag}".encode(), name=f"doc-{tag}.txt"),
            uploaded_by_user=user,
        )
        image = get_image_model().objects.create(
            title=f"Image {tag}", file=ContentFile(_png(), name=f"img-{tag}.png"), uploaded_by_user=user
        )
    return {"user": user.pk, "page": page.pk, "document": document.pk, "image": image.pk}


@pytest.fixture
def contributions(world):  # type: ignore[no-untyped-def]
    """The person (editor in A, member in B) and a colleague each made content in both organisations."""
    person = world.a_editor_b_member
    colleague = make_person(
        key="colleague", email="colleague@org-a.example", roles={world.org_a: Role.MEMBER, world.org_b: Role.MEMBER}
    )
    return {
        "person": person,
        "colleague": colleague,
        "mine": {"a": _content(person, world.org_a, tag="mine-a"), "b": _content(person, world.org_b, tag="mine-b")},
        "theirs": {
            "a": _content(colleague, world.org_a, tag="theirs-a"),
            "b": _content(colleague, world.org_b, tag="theirs-b"),
        },
    }


@pytest.fixture
def inline_tasks(monkeypatch):  # type: ignore[no-untyped-def]
    """Tasks run in this process and this transaction when queued (``.delay`` calls the task)."""
    sent: list[tuple[str, str]] = []

    def delay_of(task):  # type: ignore[no-untyped-def]
        def delay(job_id: str) -> None:
            sent.append((task.name, job_id))
            task(job_id)

        return delay

    for task in (tasks.personal_data_export, tasks.personal_data_delete):
        monkeypatch.setattr(task, "delay", delay_of(task))
    return sent


# --- Export ----------------------------------------------------------------------------------------------


def test_the_export_holds_the_account_and_the_persons_content_from_both_organisations(
    world, contributions, django_capture_on_commit_callbacks, inline_tasks
):
    person = contributions["person"]
    AccountEmail.objects.get_or_create(account=person.account, email="second@mail.example")
    JoinRequest.objects.create(account=person.account, organisation=world.org_b, message="Let me in, please")
    with django_capture_on_commit_callbacks(execute=True):
        job = requests.personal_data_export_request(account=person.account)
    assert inline_tasks == [("accounts.personal_data_export", str(job.pk))]

    job.refresh_from_db()
    assert (job.state, job.step, job.percent) == ("ready", "ready", 100)
    path = Path(job.result["archive"])
    assert path.parent == jobs.export_root() and path.stat().st_mode & 0o777 == 0o600

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        account = json.loads(archive.read("account.json"))
        assert account["account"]["email"] == person.email
        assert "password" not in account["account"] and "totp_secret" not in account["account"]
        assert {e["email"] for e in account["emails"]} >= {"second@mail.example"}
        assert [r["message"] for r in account["join_requests"]] == ["Let me in, please"]
        memberships = {m["slug"]: m["role"] for m in json.loads(archive.read("memberships.json")) if m["slug"]}
        assert memberships == {"org-a": "editor", "org-b": "member"}

        for slug, key in (("org-a", "a"), ("org-b", "b")):
            mine = contributions["mine"][key]
            local_user = json.loads(archive.read(f"organisations/{slug}/local_user.json"))
            assert local_user["id"] == mine["user"] and "password" not in local_user
            pages = json.loads(archive.read(f"organisations/{slug}/pages.json"))
            assert [p["title"] for p in pages] == [f"Page mine-{key}"]  # of their own revision (issue 13, defect 6)
            revisions = json.loads(archive.read(f"organisations/{slug}/revisions.json"))
            assert [r["object_id"] for r in revisions] == [str(mine["page"])]
            assert f"Body mine-{key}" in revisions[0]["content"]["body"]
            [document] = json.loads(archive.read(f"organisations/{slug}/documents.json"))
            assert document["title"] == f"Document mine-{key}"
            assert archive.read(document["file_in_archive"]) == f"text of mine-{key}".encode()
            [image] = json.loads(archive.read(f"organisations/{slug}/images.json"))
            assert image["title"] == f"Image mine-{key}" and archive.read(image["file_in_archive"]) == _png()

        everything = b"".join(archive.read(name) for name in names)
        assert b"theirs-a" not in everything and b"theirs-b" not in everything  # nobody else's content
    assert AuditEvent.objects.filter(action="account.data.export", outcome="success").count() == 1


def test_export_through_the_shared_space_with_progress_and_download_for_the_owner_only(
    world, contributions, django_capture_on_commit_callbacks
):
    person = contributions["person"]
    client = client_for(None, person=person)
    assert client.get("/accounts/data/").status_code == 200

    with django_capture_on_commit_callbacks() as queued:
        response = client.post("/accounts/data/export/")
    assert response.status_code == 302
    job = Job.objects.get(account_id=person.account.pk)
    assert response["Location"] == f"/accounts/data/jobs/{job.pk}/"
    progress = client.get(f"/accounts/data/jobs/{job.pk}/?format=json").json()
    assert (progress["state"], progress["percent"], progress["download"]) == ("queued", 0, "")
    again = client.post("/accounts/data/export/")  # one export at a time
    assert again.status_code == 400 and b"already being prepared" in again.content

    tasks.personal_data_export(str(job.pk))  # what the worker runs once the request committed
    assert len(queued) == 1
    progress = client.get(f"/accounts/data/jobs/{job.pk}/?format=json").json()
    assert (progress["state"], progress["percent"]) == ("ready", 100) and progress["download"]

    download = client.get(progress["download"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert "organisations/org-b/pages.json" in archive.namelist()

    # Anybody else: neither the progress nor the archive.
    other = client_for(None, person=contributions["colleague"])
    assert other.get(f"/accounts/data/jobs/{job.pk}/").status_code == 404
    assert other.get(progress["download"]).status_code == 404
    assert client_for(None).get(progress["download"]).status_code == 404
    # Not on an organisation's host either.
    assert client_for(world.org_a, person=person).get("/accounts/data/").status_code == 404


def test_the_last_administrator_is_warned_before_deleting_the_account(world):
    page = client_for(None, person=world.a_admin).get("/accounts/data/")
    assert b"last administrator of\n     Organisation A" in page.content
    assert b"last administrator" not in client_for(None, person=world.a_editor_b_member).get("/accounts/data/").content
    assert jobs.organisations_left_without_administrator(account=world.b_member.account) == []


def test_signed_out_visitors_are_sent_to_sign_in(world):
    response = client_for(None).get("/accounts/data/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_failed_export_says_why_and_leaves_no_file(world, contributions, monkeypatch):
    person = contributions["person"]
    job = Job.objects.create(account_id=person.account.pk, kind=Job.Kind.PERSONAL_EXPORT)

    def explode(**kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(export, "export_account", explode)
    assert tasks.personal_data_export(str(job.pk)) == {"state": "failed", "error": "OSError: disk full"}
    job.refresh_from_db()
    assert (job.state, job.step, job.error) == ("failed", "failed", "OSError: disk full")
    assert list(jobs.export_root().iterdir()) == []


# --- Delete ----------------------------------------------------------------------------------------------


def test_deleting_the_account_anonymises_it_in_both_organisations_and_leaves_others_alone(
    world, contributions, django_capture_on_commit_callbacks
):
    person, colleague = contributions["person"], contributions["colleague"]
    account_id = person.account.pk
    Invitation.objects.create(email=person.email, organisation=world.org_b, role="editor", invited_by="test")
    session_a = client_for(world.org_a, person=person)
    assert session_a.get("/admin/").status_code == 200
    before = _snapshot(world, colleague)

    client = client_for(None, person=person)
    refused = client.post("/accounts/data/delete/", {"confirmation": "someone@else.example"})
    assert refused.status_code == 400 and b"to confirm" in refused.content
    with django_capture_on_commit_callbacks() as queued:
        response = client.post("/accounts/data/delete/", {"confirmation": person.email.upper()})
    job = Job.objects.get(account_id=account_id, kind=Job.Kind.PERSONAL_DELETE)
    assert response.status_code == 302 and len(queued) == 1

    assert tasks.personal_data_delete(str(job.pk)) == {"state": "ready", "schemas": 3, "anonymised": 3}

    # The account and everything hanging on it are gone.
    assert not Account.objects.filter(pk=account_id).exists()
    assert not AccountEmail.objects.filter(account_id=account_id).exists()
    assert not LocalUserLink.objects.filter(account_id=account_id).exists()
    assert not Invitation.objects.filter(email__iexact=person.email).exists()

    # In both organisations: the local user stays, anonymised, and keeps its contributions.
    emails = set()
    for organisation, key in ((world.org_a, "a"), (world.org_b, "b")):
        mine = contributions["mine"][key]
        with tenant_context(organisation):
            user = User.objects.get(pk=mine["user"])
            assert (user.get_full_name(), user.is_active, user.is_superuser, user.account_id) == (
                "Former user",
                False,
                False,
                None,
            )
            assert user.email.endswith("@former-user.invalid") and list(user.groups.all()) == []
            emails.add(user.email)
            assert Page.objects.get(pk=mine["page"]).owner_id == user.pk
            assert Revision.objects.filter(user=user).count() == 1
            assert get_document_model().objects.get(pk=mine["document"]).uploaded_by_user_id == user.pk
            assert get_image_model().objects.get(pk=mine["image"]).uploaded_by_user_id == user.pk
            assert not User.objects.filter(email__iexact=person.email).exists()
    assert len(emails) == 2  # a placeholder of its own in each schema

    # The other people are untouched.
    assert _snapshot(world, colleague) == before
    for key in ("a_member", "a_admin", "b_member"):
        assert Account.objects.filter(pk=world.people[key].account.pk, is_active=True).exists()
    with tenant_context(world.org_b):
        assert role_of(user=User.objects.get(account_id=world.b_member.account.pk)) == Role.MEMBER

    # Signed out everywhere: the old session on A no longer gets in; the job page still says how it went.
    response = session_a.get("/admin/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(f"/accounts/data/jobs/{job.pk}/?format=json").json()["state"] == "ready"
    assert client.get("/accounts/data/").status_code == 302

    trail = AuditEvent.objects.filter(action="membership.anonymise")
    assert {e.organisation_slug for e in trail} == {"org-a", "org-b", ""}  # "" is the shared space
    assert all(person.email not in json.dumps(e.detail) + e.actor for e in trail)
    assert AuditEvent.objects.get(action="account.delete").outcome == "success"


def _snapshot(world, person) -> dict:  # type: ignore[no-untyped-def]
    found = {"account": Account.objects.filter(pk=person.account.pk).values().get()}
    for organisation in (world.org_a, world.org_b):
        with tenant_context(organisation):
            user = User.objects.get(account_id=person.account.pk)
            found[organisation.slug] = {
                "user": User.objects.filter(pk=user.pk).values("email", "first_name", "last_name", "is_active").get(),
                "groups": sorted(user.groups.values_list("name", flat=True)),
                "pages": sorted(Page.objects.filter(owner=user).values_list("title", flat=True)),
                "documents": get_document_model().objects.filter(uploaded_by_user=user).count(),
            }
    return found


def test_deletion_removes_earlier_export_archives_and_can_be_run_again(world, contributions):
    person = contributions["person"]
    export_job = Job.objects.create(account_id=person.account.pk, kind=Job.Kind.PERSONAL_EXPORT)
    archive = export.personal_data_export_run(job=export_job)
    assert archive.exists()

    job = Job.objects.create(account_id=person.account.pk, kind=Job.Kind.PERSONAL_DELETE)
    erasure.personal_data_delete_run(job=job)
    assert not archive.exists()

    again = Job.objects.create(account_id=person.account.pk, kind=Job.Kind.PERSONAL_DELETE)
    with pytest.raises(jobs.PersonalDataFailed, match="no longer exists"):
        erasure.personal_data_delete_run(job=again)


def test_deletion_needs_the_address_as_confirmation_and_one_request_at_a_time(world):
    account = world.citizen.account
    with pytest.raises(ValidationError, match="to confirm"):
        requests.personal_data_delete_request(account=account, confirmation="")
    requests.personal_data_delete_request(account=account, confirmation=account.email)
    with pytest.raises(ValidationError, match="already being deleted"):
        requests.personal_data_delete_request(account=account, confirmation=account.email)
    assert Account.objects.filter(pk=account.pk, is_active=True).exists()  # nothing happens before the task


def test_an_organisation_side_app_registered_for_erasure_is_asked_in_every_schema_first(world, contributions):
    """A new organisation-side app adds its share of the erasure by registering, without editing the
    public side: it is called in each schema with that schema's local user, before the anonymisation."""
    person = contributions["person"]
    seen: list[tuple[str, str, bool]] = []

    def erase_probe(*, account, local_user):  # type: ignore[no-untyped-def]
        seen.append((connection.schema_name, local_user.email, local_user.is_active))
        return {"probe_items": 2}

    expected = sorted(LocalUserLink.objects.filter(account=person.account).values_list("schema_name", flat=True))
    assert world.org_a.schema_name in expected and world.org_b.schema_name in expected
    organisation_hooks.personal_data_erase.register(erase_probe)
    try:
        job = Job.objects.create(account_id=person.account.pk, kind=Job.Kind.PERSONAL_DELETE)
        erasure.personal_data_delete_run(job=job)
    finally:
        organisation_hooks.personal_data_erase.unregister(erase_probe)
    assert sorted(schema for schema, _, _ in seen) == expected
    assert all(email == person.email and active for _, email, active in seen)  # before it was anonymised
    event = AuditEvent.objects.filter(action="membership.anonymise", organisation_slug=world.org_a.slug).latest("at")
    assert event.detail["probe_items"] == 2


def test_the_last_administrator_cannot_delete_the_account_and_leave_the_organisation_without_one(world):
    """Issue 13 #13: deleting the account of an organisation's only administrator is refused, naming it; nothing
    is queued. Another organisation's member, and a citizen, delete as before (the refusal is about that role)."""
    before = Job.objects.filter(account_id=world.a_admin.account.pk, kind=Job.Kind.PERSONAL_DELETE).count()
    response = client_for(None, person=world.a_admin).post(
        "/accounts/data/delete/", {"confirmation": world.a_admin.email}
    )
    assert response.status_code == 400
    assert "only administrator of Organisation A" in response.content.decode()
    assert Job.objects.filter(account_id=world.a_admin.account.pk, kind=Job.Kind.PERSONAL_DELETE).count() == before
    with pytest.raises(ValidationError, match="Organisation A"):
        requests.personal_data_delete_request(account=world.a_admin.account, confirmation=world.a_admin.email)
