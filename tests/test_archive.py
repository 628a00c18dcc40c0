"""Organisation export and import archives: a round trip brings an organisation back equal, an import under
another slug makes a second instance, and a refused or failed import leaves nothing behind."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import time
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import storages
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connection, connections
from django_tenants.utils import tenant_context
from PIL import Image as PillowImage
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Page, Site

from shared_apps.accounts.models import Account, LocalUserLink
from shared_apps.accounts.services.accounts import account_create
from shared_apps.people.models import User
from tenant_apps.members.selectors import role_of
from tenant_apps.pages.models import ContentPage
from tenants import tasks
from tenants.archive import importer
from tenants.archive.export import organisation_export, organisation_export_request, organisation_export_run
from tenants.archive.format import ArchiveFailed
from tenants.archive.importer import organisation_import, organisation_import_request, organisation_import_run
from tenants.audit import Actor
from tenants.models import AuditEvent, Domain, EmailDomain, Job, Organisation
from tenants.provisioning import organisation_create
from tenants.roles import Role
from tenants.selectors import expected_migration_leaves
from tenants.services import (
    organisation_domain_add,
    organisation_email_domain_add,
    organisation_purge,
    organisation_schedule_deletion,
)
from tests.harness.clients import client_for
from tests.harness.people import Person, make_person

pytestmark = pytest.mark.django_db

ACTOR = Actor("test:archive")
DOCUMENT_BYTES = b"GovSquare handbook\n" + bytes(range(256)) * 4


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (3, 2), (21, 66, 115)).save(buffer, "PNG")
    return buffer.getvalue()


PNG_BYTES = _png_bytes()


@pytest.fixture
def roots(settings, tmp_path: Path) -> Path:
    """MEDIA_ROOT and EXPORT_ROOT under ``tmp_path``."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EXPORT_ROOT = str(tmp_path / "exports")
    # django-tenants' storage caches MEDIA_ROOT and misses the setting_changed signal for it.
    storages["default"].__dict__.pop("relative_media_root", None)
    yield tmp_path
    storages["default"].__dict__.pop("relative_media_root", None)


def _fresh(organisation: Organisation) -> Organisation:
    """A copy of a world organisation to act on (the session's instances must stay untouched)."""
    return Organisation.objects.get(pk=organisation.pk)


def _upload_media(organisation: Organisation) -> None:
    with tenant_context(organisation):
        Document.objects.create(title="Handbook", file=ContentFile(DOCUMENT_BYTES, name="handbook.txt"))
        Image.objects.create(title="Logo", file=ImageFile(io.BytesIO(PNG_BYTES), name="logo.png"))


def _read(field_file) -> bytes:  # type: ignore[no-untyped-def]
    with field_file.open("rb") as handle:
        return handle.read()


def _state(organisation: Organisation) -> dict:
    """What must come back equal: pages, people with their accounts and roles, documents and images."""
    with tenant_context(organisation):
        state = {
            "pages": [(page.title, page.url_path, page.live) for page in Page.objects.order_by("path")],
            "people": {user.email: (user.account_id, role_of(user=user)) for user in User.objects.order_by("email")},
            "documents": {doc.title: (doc.file.name, _read(doc.file)) for doc in Document.objects.all()},
            "images": {
                img.title: (img.file.name, img.width, img.height, _read(img.file)) for img in Image.objects.all()
            },
        }
    state["links"] = set(
        LocalUserLink.objects.filter(schema_name=organisation.schema_name).values_list("account_id", "local_user_id")
    )
    return state


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def _footprint(root: Path) -> dict:
    """Everything an import could leave behind: schemas, registry rows, accounts, links, files."""
    return {
        "schemas": _schemas(),
        "organisations": set(Organisation.objects.values_list("slug", flat=True)),
        "domains": set(Domain.objects.values_list("domain", flat=True)),
        "email_domains": set(EmailDomain.objects.values_list("organisation__slug", "domain")),
        "accounts": set(Account.objects.values_list("pk", flat=True)),
        "links": set(LocalUserLink.objects.values_list("schema_name", "account_id")),
        "files": sorted(str(p.relative_to(root)) for p in root.rglob("*") if "exports" not in p.parts),
    }


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isreg()}


def _rewrite(
    source: Path,
    target: Path,
    *,
    manifest=None,  # type: ignore[no-untyped-def]
    replace: dict[str, bytes] | None = None,
    extra: tuple[tarfile.TarInfo, ...] = (),
    drop: tuple[str, ...] = (),
) -> Path:
    """A copy of an archive with its manifest changed, members replaced, dropped or added."""
    members = _members(source)
    if manifest is not None:
        data = json.loads(members["manifest.json"])
        manifest(data)
        members["manifest.json"] = json.dumps(data).encode()
    members.update(replace or {})
    with tarfile.open(target, "w:gz") as tar:
        for name, body in members.items():
            if name in drop:
                continue
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        for info in extra:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isreg() else None)
    return target


def _file_member(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = 1
    return info


def _link_member(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


# --- Round trip ----------------------------------------------------------------------------------------


def test_export_delete_import_brings_organisation_a_back_equal(world, roots, django_capture_on_commit_callbacks):
    organisation = _fresh(world.org_a)
    organisation_email_domain_add(organisation=organisation, domain="org-a.example", actor=ACTOR)
    _upload_media(organisation)
    with tenant_context(organisation):
        home = Site.objects.get().root_page
        home.add_child(instance=ContentPage(title="Draft plan", slug="draft-plan", live=False))
    before = _state(organisation)
    assert {email for email in before["people"]} >= {world.a_member.email, world.a_editor.email, world.a_admin.email}
    assert len(before["links"]) == len(before["people"])

    started = time.perf_counter()
    path = organisation_export(organisation=organisation, actor=ACTOR)
    export_seconds = time.perf_counter() - started

    assert path.parent == roots / "exports" and re.fullmatch(r"org-a-\d{8}T\d{6}Z\.tar\.gz", path.name)
    assert list((roots / "exports").iterdir()) == [path]  # no temporary file or folder left
    assert path.stat().st_mode & 0o077 == 0  # personal data: readable by the owner only
    assert Organisation.objects.get(pk=organisation.pk).last_exported_at is not None

    # Deletion without force is allowed once exported; the purge removes schema, rows, links and media.
    organisation_schedule_deletion(organisation=organisation, actor=ACTOR, force=False)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_purge(organisation=organisation, actor=ACTOR, ignore_grace=True)
    assert "org_a" not in _schemas() and not Organisation.objects.filter(slug="org-a").exists()
    assert not LocalUserLink.objects.filter(schema_name="org_a").exists()
    assert not (roots / "media" / "org_a").exists()

    started = time.perf_counter()
    imported = organisation_import(archive_path=path, actor=ACTOR)
    import_seconds = time.perf_counter() - started
    print(f"[archive] org A: export {export_seconds:.2f}s, import {import_seconds:.2f}s, {path.stat().st_size} bytes")

    assert connection.schema_name == "public"
    assert (imported.slug, imported.schema_name, imported.name, imported.status) == (
        "org-a",
        "org_a",
        "Organisation A",
        Organisation.Status.ACTIVE,
    )
    assert (imported.blueprint, imported.enabled_apps, imported.brand_colour) == (
        world.org_a.blueprint,
        world.org_a.enabled_apps,
        world.org_a.brand_colour,
    )
    assert list(imported.domains.values_list("domain", "is_primary")) == [("org-a.govsquare.localhost", True)]
    assert list(imported.email_domains.values_list("domain", flat=True)) == ["org-a.example"]
    assert _state(imported) == before
    assert (roots / "media" / "org_a" / "documents" / "handbook.txt").read_bytes() == DOCUMENT_BYTES
    assert (roots / "media" / "org_a" / "original_images" / "logo.png").read_bytes() == PNG_BYTES

    home_page = client_for(imported).get("/")
    assert home_page.status_code == 200 and b"Organisation A" in home_page.content
    with tenant_context(imported):
        document_url = Document.objects.get(title="Handbook").url
    served = client_for(imported, person=world.a_member).get(document_url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == DOCUMENT_BYTES
    assert client_for(imported, person=world.a_editor).get("/admin/").status_code == 200
    assert client_for(imported, person=world.a_member).get("/admin/").status_code == 302

    # Identity columns continue after the loaded rows: new rows get fresh ids.
    with tenant_context(imported):
        Site.objects.get().root_page.add_child(instance=ContentPage(title="After import", slug="after-import"))
        Document.objects.create(title="Second", file=ContentFile(b"2", name="second.txt"))
    outcomes = set(AuditEvent.objects.filter(organisation_slug="org-a").values_list("action", "outcome"))
    assert {("organisation.export", "success"), ("organisation.import", "success")} <= outcomes


def test_the_manifest_describes_the_archive_without_password_hashes(world, roots):
    organisation = _fresh(world.org_a)
    organisation_domain_add(organisation=organisation, domain="intranet.org-a.example", actor=ACTOR)
    _upload_media(organisation)
    path = organisation_export(organisation=organisation, actor=ACTOR)
    members = _members(path)
    manifest = json.loads(members["manifest.json"])

    with tarfile.open(path, "r:gz") as tar:
        assert tar.getnames()[0] == "manifest.json"
    assert manifest["format_version"] == 1 and manifest["govsquare_version"]
    assert manifest["migration_leaves"] == sorted([list(leaf) for leaf in expected_migration_leaves()])
    assert manifest["organisation"] == {
        "name": "Organisation A",
        "slug": "org-a",
        "blueprint": world.org_a.blueprint,
        "blueprint_version": world.org_a.blueprint_version,
        "default_visibility": world.org_a.default_visibility,
        "enabled_apps": world.org_a.enabled_apps,
        "brand_colour": world.org_a.brand_colour,
    }
    assert manifest["created_at"] and manifest["platform_domain"] == "govsquare.localhost"
    assert manifest["domains"] == [
        {"domain": "org-a.govsquare.localhost", "is_primary": True},
        {"domain": "intranet.org-a.example", "is_primary": False},
    ]
    emails = {account["email"] for account in manifest["accounts"]}
    assert {world.a_member.email, world.a_admin.email, world.a_editor_b_member.email} <= emails
    assert world.b_member.email not in emails
    assert set(manifest["accounts"][0]) == {"id", "email", "display_name"}
    for person in world.people.values():  # no account's password hash, anywhere in the archive
        assert not any(person.account.password.encode() in body for body in members.values())

    data_members = {name for name in members if name.startswith("data/")}
    assert data_members == {f"data/{table}.copy" for table in manifest["tables"]}
    assert len(data_members) > 40
    for table, entry in manifest["tables"].items():
        assert hashlib.sha256(members[entry["file"]]).hexdigest() == entry["sha256"], table
    assert manifest["tables"]["people_user"]["rows"] >= 4
    assert members["media/documents/handbook.txt"] == DOCUMENT_BYTES
    assert members["media/original_images/logo.png"] == PNG_BYTES
    assert manifest["media"]["files"] == 2


def test_sessions_never_leave_the_platform_in_an_archive(world, roots):
    organisation = _fresh(world.org_a)
    client_for(organisation, person=world.a_editor)  # a signed-in session in org A's schema
    with tenant_context(organisation):
        assert Session.objects.exists()
    manifest = json.loads(_members(organisation_export(organisation=organisation, actor=ACTOR))["manifest.json"])
    assert "django_session" in manifest["tables"] and manifest["tables"]["django_session"]["rows"] == 0


def test_import_under_another_slug_makes_a_second_instance(world, roots):
    organisation = _fresh(world.org_a)
    _upload_media(organisation)
    path = organisation_export(organisation=organisation, actor=ACTOR)
    original = _state(organisation)

    copy = organisation_import(archive_path=path, actor=ACTOR, slug="org-a-copy", name="Organisation A (copy)")

    assert (copy.slug, copy.schema_name, copy.name) == ("org-a-copy", "org_a_copy", "Organisation A (copy)")
    assert list(copy.domains.values_list("domain", "is_primary")) == [("org-a-copy.govsquare.localhost", True)]
    state = _state(copy)
    assert {key: state[key] for key in ("pages", "people", "documents", "images")} == {
        key: original[key] for key in ("pages", "people", "documents", "images")
    }
    assert state["links"] == original["links"]  # the same accounts and local user ids, in another schema
    assert (roots / "media" / "org_a_copy" / "documents" / "handbook.txt").read_bytes() == DOCUMENT_BYTES
    with tenant_context(copy):
        site = Site.objects.get()
        assert (site.hostname, site.site_name) == ("org-a-copy.govsquare.localhost", "Organisation A (copy)")
        site.root_page.add_child(
            instance=ContentPage(title="Only in the copy", slug="only-in-the-copy", visibility="public")
        )

    assert client_for(copy).get("/").status_code == 200
    assert client_for(copy).get("/only-in-the-copy/").status_code == 200
    assert client_for(world.org_a).get("/only-in-the-copy/").status_code == 404
    assert client_for(copy, person=world.a_editor).get("/admin/").status_code == 200
    assert client_for(copy, person=world.b_member).get("/admin/").status_code == 302
    assert _state(organisation) == original  # the original is untouched


def test_missing_accounts_are_created_and_same_email_accounts_are_reused(
    world, roots, django_capture_on_commit_callbacks
):
    organisation = organisation_create(name="Organisation M", slug="org-m")
    gone = make_person(key="gone", email="gone@org-m.example", name="Gone Person", roles={organisation: Role.EDITOR})
    moved = make_person(key="moved", email="moved@org-m.example", roles={organisation: Role.MEMBER})
    path = organisation_export(organisation=organisation, actor=ACTOR)
    organisation_schedule_deletion(organisation=organisation, actor=ACTOR)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_purge(organisation=organisation, actor=ACTOR, ignore_grace=True)
    # Another platform instance: one account is unknown there, the other has another id.
    Account.objects.filter(pk__in=[gone.account.pk, moved.account.pk]).delete()
    replacement = account_create(email="moved@org-m.example", display_name="Moved Person", password="x" * 12)

    imported = organisation_import(archive_path=path, actor=ACTOR)

    recreated = Account.objects.get(pk=gone.account.pk)
    assert (recreated.email, recreated.display_name) == ("gone@org-m.example", "Gone Person")
    assert not recreated.has_usable_password()
    with tenant_context(imported):
        gone_user = User.objects.get(email="gone@org-m.example")
        moved_user = User.objects.get(email="moved@org-m.example")
        assert (gone_user.account_id, role_of(user=gone_user)) == (recreated.pk, Role.EDITOR)
        assert (moved_user.account_id, role_of(user=moved_user)) == (replacement.pk, Role.MEMBER)
    links = set(LocalUserLink.objects.filter(schema_name="org_m").values_list("account_id", "local_user_id"))
    assert {(recreated.pk, gone_user.pk), (replacement.pk, moved_user.pk)} <= links
    assert client_for(imported, person=Person(key="moved", account=replacement)).get("/").status_code == 200
    event = AuditEvent.objects.filter(action="organisation.import", organisation_slug="org-m").first()
    assert event.detail["accounts_created"] == 1 and event.detail["accounts_remapped"] == 1


# --- Refusals: nothing is created ----------------------------------------------------------------------


def _tampered_data(path: Path, target: Path) -> Path:
    body = bytearray(_members(path)["data/wagtailcore_page.copy"])
    body[-10] ^= 0xFF
    return _rewrite(path, target, replace={"data/wagtailcore_page.copy": bytes(body)})


REFUSALS = {
    "tampered data file": (_tampered_data, {"slug": "org-a-two"}, "checksum of data/wagtailcore_page.copy"),
    "other migrations": (
        lambda p, t: _rewrite(p, t, manifest=lambda m: m["migration_leaves"].append(["people", "9999_future"])),
        {"slug": "org-a-two"},
        "different database version",
    ),
    "newer format": (
        lambda p, t: _rewrite(p, t, manifest=lambda m: m.update(format_version=99)),
        {"slug": "org-a-two"},
        "format version 99",
    ),
    "slug taken": (lambda p, t: p, {}, "An organisation with the slug 'org-a' already exists"),
    "custom domain taken": (lambda p, t: p, {"slug": "org-a-two"}, "intranet.org-a.example is already in use"),
    "invalid slug": (lambda p, t: p, {"slug": "Not A Slug"}, "lower-case letters"),
    "path traversal": (
        lambda p, t: _rewrite(p, t, extra=(_file_member("media/../../escaped.txt"),)),
        {"slug": "org-a-two"},
        "climbs out of its folder",
    ),
    "absolute path": (
        lambda p, t: _rewrite(p, t, extra=(_file_member("/tmp/escaped.txt"),)),  # noqa: S108
        {"slug": "org-a-two"},
        "absolute path",
    ),
    "symbolic link": (
        lambda p, t: _rewrite(p, t, extra=(_link_member("media/documents/passwd", "/etc/passwd"),)),
        {"slug": "org-a-two"},
        "links are refused",
    ),
    "no manifest": (lambda p, t: _rewrite(p, t, drop=("manifest.json",)), {"slug": "org-a-two"}, "no manifest.json"),
    "missing data file": (
        lambda p, t: _rewrite(p, t, drop=("data/people_user.copy",)),
        {"slug": "org-a-two"},
        "lacks data/people_user.copy",
    ),
    "not an archive": (
        lambda p, t: (t.write_bytes(b"just some text\n"), t)[1],
        {"slug": "org-a-two"},
        "is not a readable .tar.gz archive",
    ),
    "cut short": (
        lambda p, t: (t.write_bytes(p.read_bytes()[: p.stat().st_size // 2]), t)[1],
        {"slug": "org-a-two"},
        "is not a readable .tar.gz archive",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_import_creates_nothing(world, roots, case):
    make_archive, arguments, message = REFUSALS[case]
    organisation = _fresh(world.org_a)
    organisation_domain_add(organisation=organisation, domain="intranet.org-a.example", actor=ACTOR)
    _upload_media(organisation)
    path = make_archive(organisation_export(organisation=organisation, actor=ACTOR), roots / "exports" / "bad.tar.gz")
    before = _footprint(roots)

    with pytest.raises(ValidationError) as refused:
        organisation_import(archive_path=path, actor=ACTOR, **arguments)

    assert message in " ".join(refused.value.messages)
    assert connection.schema_name == "public"
    assert _footprint(roots) == before
    assert not (roots / "escaped.txt").exists() and not Path("/tmp/escaped.txt").exists()  # noqa: S108
    failure = AuditEvent.objects.filter(action="organisation.import").first()
    assert failure.outcome == AuditEvent.Outcome.FAILURE and message in failure.detail["error"]


# --- Faults in the middle of an import -----------------------------------------------------------------


@pytest.mark.parametrize(
    "failing_step",
    [
        "create_registry_rows",
        "create_schema",
        "load_tables",
        "restart_identities",
        "link_accounts",
        "adjust_site",
        "extract_media",
        "second media file",
    ],
)
def test_a_failure_in_the_middle_of_an_import_leaves_nothing_behind(world, roots, monkeypatch, failing_step):
    organisation = _fresh(world.org_a)
    _upload_media(organisation)
    path = organisation_export(organisation=organisation, actor=ACTOR)
    # An account the import has to create (and must take back when it fails).
    Account.objects.filter(pk=world.a_member.account.pk).delete()
    before = _footprint(roots)
    seen_on_disk: list[bool] = []

    if failing_step == "second media file":
        real = importer._extract_one

        def flaky(**kwargs):  # type: ignore[no-untyped-def]
            seen_on_disk.append((roots / "media" / "org_a_copy").exists())
            if len(seen_on_disk) == 2:
                raise OSError("No space left on device (injected)")
            real(**kwargs)

        monkeypatch.setattr(importer, "_extract_one", flaky)
    else:
        real_step = getattr(importer, failing_step)

        def explode(**kwargs):  # type: ignore[no-untyped-def]
            real_step(**kwargs)  # the step does its work, then fails
            raise RuntimeError(f"injected failure after {failing_step}")

        monkeypatch.setattr(importer, failing_step, explode)

    with pytest.raises((RuntimeError, OSError), match="injected"):
        organisation_import(archive_path=path, actor=ACTOR, slug="org-a-copy")

    assert connection.schema_name == "public"
    assert _footprint(roots) == before
    assert not (roots / "media" / "org_a_copy").exists()
    if failing_step == "second media file":
        assert seen_on_disk == [True, True]  # media had been written, and was removed again
    failure = AuditEvent.objects.filter(action="organisation.import").first()
    assert failure.outcome == AuditEvent.Outcome.FAILURE and "injected" in failure.detail["error"]

    monkeypatch.undo()
    copy = organisation_import(archive_path=path, actor=ACTOR, slug="org-a-copy")
    assert client_for(copy).get("/").status_code == 200
    assert Account.objects.filter(pk=world.a_member.account.pk).exists()


# --- Jobs ----------------------------------------------------------------------------------------------


def test_export_and_import_jobs_run_and_report_their_outcome(world, roots, django_capture_on_commit_callbacks):
    organisation = _fresh(world.org_b)
    with django_capture_on_commit_callbacks() as queued:  # not executed: no task leaves the test
        job = organisation_export_request(organisation=organisation, actor=ACTOR)
    assert (job.kind, job.state, job.organisation_slug, len(queued)) == (Job.Kind.EXPORT, Job.State.QUEUED, "org-b", 1)

    steps: list[tuple[str, int]] = []
    path = organisation_export_run(job=job, progress=lambda step, percent: steps.append((step, percent)))
    job.refresh_from_db()
    assert (job.state, job.result["archive"]) == (Job.State.READY, str(path))
    assert steps[0][0] == "reading_database" and steps[-1] == ("ready", 100)
    assert [percent for _, percent in steps] == sorted(percent for _, percent in steps)

    with django_capture_on_commit_callbacks() as queued:
        import_job = organisation_import_request(archive_path=path, actor=ACTOR, slug="org-b-copy")
    assert (import_job.kind, import_job.organisation, import_job.organisation_slug, len(queued)) == (
        Job.Kind.IMPORT,
        None,
        "org-b-copy",
        1,
    )
    assert tasks.import_(str(import_job.pk)) == {"state": "ready", "slug": "org-b-copy"}  # the task, run in-process
    imported = Organisation.objects.get(slug="org-b-copy")
    import_job.refresh_from_db()
    assert (import_job.state, import_job.organisation, import_job.result) == (
        Job.State.READY,
        imported,
        {"slug": "org-b-copy"},
    )

    # A job whose archive is damaged after it was queued fails with the reason.
    failing = organisation_import_request(archive_path=path, actor=ACTOR, slug="org-b-third")
    _tampered_data(path, path.with_name("tampered.tar.gz")).replace(path)
    with pytest.raises(ArchiveFailed, match="checksum"):
        organisation_import_run(job=failing)
    failing.refresh_from_db()
    assert failing.state == Job.State.FAILED and "checksum" in failing.error and failing.organisation is None
    assert not Organisation.objects.filter(slug="org-b-third").exists()


def test_an_import_request_refuses_a_taken_slug_at_once(world, roots):
    path = organisation_export(organisation=_fresh(world.org_b), actor=ACTOR)
    jobs = Job.objects.count()
    with pytest.raises(ValidationError, match="already exists"):
        organisation_import_request(archive_path=path, actor=ACTOR)
    assert Job.objects.count() == jobs


# --- Command line --------------------------------------------------------------------------------------


def test_cli_exports_and_imports(world, roots):
    out, err = io.StringIO(), io.StringIO()
    call_command("org_export", "org-b", "--output", str(roots / "cli"), stdout=out, stderr=err)
    path = Path(out.getvalue().strip())
    assert path.parent == roots / "cli" and path.is_file()
    assert "[##############################] 100% ready" in err.getvalue()

    out, err = io.StringIO(), io.StringIO()
    call_command(
        "org_import", str(path), "--slug", "org-b-cli", "--name", "Organisation B (CLI)", stdout=out, stderr=err
    )
    assert out.getvalue().strip() == (
        "Imported Organisation B (CLI) as 'org-b-cli': http://org-b-cli.govsquare.localhost:8000/"
    )
    assert "100% ready" in err.getvalue()
    assert Organisation.objects.get(slug="org-b-cli").name == "Organisation B (CLI)"
    with pytest.raises(CommandError, match="already exists"):
        call_command("org_import", str(path), "--slug", "org-b-cli", stdout=io.StringIO(), stderr=io.StringIO())


def _run(monkeypatch, capsys, command: str, *arguments: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """Run a command as ``manage.py`` does; its exit status, stdout and stderr."""
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's transaction open
    capsys.readouterr()
    try:
        load_command_class("tenants", command).run_from_argv(["manage.py", command, *arguments, "--skip-checks"])
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_exit_status_and_one_line_reasons(world, roots, monkeypatch, capsys):
    status, out, _ = _run(monkeypatch, capsys, "org_export", "org-b", "--output", str(roots / "cli"))
    assert status == 0 and Path(out.strip()).is_file()
    archive_path = out.strip()

    not_an_archive = roots / "notes.tar.gz"
    not_an_archive.write_text("hello\n")
    cases = [
        (("org_export", "no-such-org"), "There is no organisation with the slug 'no-such-org'."),
        (("org_import", str(roots / "missing.tar.gz")), "does not exist or is not a file."),
        (("org_import", str(not_an_archive)), "notes.tar.gz is not a readable .tar.gz archive"),
        (("org_import", archive_path), "slug: An organisation with the slug 'org-b' already exists."),
        (("org_import", archive_path, "--slug", "public"), "slug: The slug 'public' is reserved by the platform."),
    ]
    before = _footprint(roots)
    for (command, *arguments), reason in cases:
        status, out, err = _run(monkeypatch, capsys, command, *arguments)
        last_line = err.strip().splitlines()[-1]
        assert status == 1 and out == "", (command, arguments, err)
        assert last_line.startswith("CommandError: ") and reason in last_line, last_line
    assert _footprint(roots) == before
