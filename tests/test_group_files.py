"""A group's files tab: folders in a tree, uploads checked by size and by kind (extension AND content),
downloads through one checked view only — from every kind of viewer.

Every test asks "and from the other organisation?" (org B's staff, a third organisation's) and "and as a
citizen?". Files are written under a MEDIA_ROOT of the test's own (``media``), so what is on disk is seen.

One module for the tab, past 500 lines: its parts (writing and reading, bad input, viewers, moderation,
sending, queries) share the helpers and the upload fixtures at the top.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_sendfile.utils import _get_sendfile

from shared_apps.accounts.models import Account
from shared_apps.group_files import services
from shared_apps.group_files.models import Folder, GroupFile
from shared_apps.group_files.storage import group_file_storage
from shared_apps.groups.models import Group, GroupActivity
from shared_apps.groups.services import groups as group_services
from shared_apps.groups.services import memberships
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    """A MEDIA_ROOT of this test's own: what is stored can be looked at."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SENDFILE_ROOT = settings.MEDIA_ROOT
    return Path(settings.MEDIA_ROOT)


def _stored(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []


def _files(slug: str) -> str:
    return f"/groups/{slug}/files/"


def _upload(client, group: Group, name: str, content: bytes, folder: Folder | None = None):  # type: ignore[no-untyped-def]
    data = {"upload-file": SimpleUploadedFile(name, content), "upload-folder": folder.pk if folder else ""}
    return client.post(f"{_files(group.slug)}upload/", data)


def _new_folder(client, group: Group, name: str, parent: Folder | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        f"{_files(group.slug)}folders/new/", {"new-folder-name": name, "new-folder-parent": parent.pk if parent else ""}
    )


def _download(client, item: GroupFile):  # type: ignore[no-untyped-def]
    return client.get(f"{_files(item.group.slug)}{item.pk}/download/")


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


def _operator():  # type: ignore[no-untyped-def]
    operator = make_person(key="operator", email="operator@govsquare.example", roles={})
    Account.objects.filter(pk=operator.account.pk).update(is_platform_operator=True)
    operator.account.refresh_from_db()
    return operator


# --- Members write and read, whichever organisation they are of ----------------------------------------


def test_members_of_two_organisations_make_folders_upload_and_download(civil_servants, make_group, media):
    world = civil_servants
    group = make_group(world.a_member, members=(world.b_member,), name="Shared files", visibility="closed")
    owner, member_b = world.client(world.a_member), world.client(world.b_member)

    assert _new_folder(member_b, group, "Minutes").status_code == 302
    minutes = Folder.objects.get(group=group, name="Minutes")
    assert minutes.author == world.b_member.account
    response = _upload(member_b, group, "Report 2025.pdf", PDF, minutes)
    assert response.status_code == 302 and response["Location"] == f"{_files(group.slug)}folders/{minutes.pk}/"
    item = GroupFile.objects.get(group=group)
    assert (item.original_name, item.size, item.content_type, item.folder) == (
        "Report 2025.pdf",
        len(PDF),
        "application/pdf",
        minutes,
    )
    assert len(item.sha256) == 64
    # Stored under the shared space's media folder, groups/<group id>/, with a random name.
    (path,) = _stored(media)
    assert path.parent == media / "public" / "groups" / str(group.pk)
    assert "Report" not in path.name and path.suffix == ".pdf" and path.read_bytes() == PDF
    with pytest.raises(ValueError, match="no URL"):
        group_file_storage().url(item.file.name)

    # Org A's owner finds it, in its folder, and downloads it through the checked view.
    top = owner.get(_files(group.slug))
    assert top.status_code == 200 and b"Minutes" in top.content
    listing = owner.get(f"{_files(group.slug)}folders/{minutes.pk}/").content.decode()
    assert "Report 2025.pdf" in listing and f"/files/{item.pk}/" in listing
    page = owner.get(f"{_files(group.slug)}{item.pk}/")
    assert page.status_code == 200 and item.sha256.encode() in page.content
    for html in (top.content, listing.encode(), page.content):
        assert b"/media/" not in html and path.name.encode() not in html  # never a direct address
    download = _download(owner, item)
    assert download.status_code == 200 and _body(download) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert (
        download["Content-Disposition"].startswith("attachment;")
        and 'filename="Report 2025.pdf"' in (download["Content-Disposition"])
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "private" in download["Cache-Control"]

    # The activity stream says so, in the core's words.
    verbs = set(GroupActivity.objects.filter(group=group).values_list("verb", flat=True))
    assert {"folder.created", "file.uploaded"} <= verbs
    activity = owner.get(f"/groups/{group.slug}/activity/").content.decode()
    assert "uploaded a file" in activity and "made a folder" in activity


def test_office_documents_images_and_archives_are_accepted_by_their_content(civil_servants, make_group):
    group = make_group(civil_servants.a_member)
    client = civil_servants.client(civil_servants.a_member)
    for name, content in (
        ("letter.docx", _docx()),
        ("plan.odt", _odt()),
        ("photo.PNG", PNG),
        ("data.csv", b"a;b\n1;\xe9\n"),
        ("bundle.zip", _zip()),
    ):
        assert _upload(client, group, name, content).status_code == 302, name
    assert GroupFile.objects.filter(group=group).count() == 5


def test_folders_nest_and_move_but_never_into_themselves(civil_servants, make_group):
    world = civil_servants
    group = make_group(world.a_member, members=(world.b_member,))
    actor = world.b_member.account
    top = services.folder_create(group=group, actor=actor, name="Projects")
    child = services.folder_create(group=group, actor=actor, name="2025", parent_id=top.pk)
    grandchild = services.folder_create(group=group, actor=actor, name="Q1", parent_id=child.pk)
    for target in (top, child, grandchild):
        with pytest.raises(ValidationError, match="cannot go into itself"):
            services.folder_move(group=group, actor=actor, folder_id=top.pk, parent_id=target.pk)
    # Through the page: a clear error on the form, nothing moved.
    client = world.client(world.b_member)
    refused = client.post(f"{_files(group.slug)}folders/{top.pk}/move/", {"move-target": grandchild.pk})
    assert (
        refused.status_code == 400
        and b"cannot go into itself" in refused.content
        and b'role="alert"' in refused.content
    )
    top.refresh_from_db()
    assert top.parent is None
    # Moving out and in works; the page's breadcrumbs follow.
    assert client.post(f"{_files(group.slug)}folders/{grandchild.pk}/move/", {"move-target": ""}).status_code == 302
    grandchild.refresh_from_db()
    assert grandchild.parent is None
    page = client.get(f"{_files(group.slug)}folders/{child.pk}/").content.decode()
    assert page.index("Projects") < page.index("2025")
    # A file moves between folders and is renamed; its kind stays.
    item = services.file_upload(group=group, actor=actor, upload=SimpleUploadedFile("a.pdf", PDF), folder_id=top.pk)
    assert client.post(f"{_files(group.slug)}{item.pk}/move/", {"move-target": child.pk}).status_code == 302
    assert client.post(f"{_files(group.slug)}{item.pk}/rename/", {"rename-name": "Agenda.pdf"}).status_code == 302
    item.refresh_from_db()
    assert (item.folder, item.original_name) == (child, "Agenda.pdf") and item.edited_at is not None
    refused = client.post(f"{_files(group.slug)}{item.pk}/rename/", {"rename-name": "Agenda.exe"})
    assert refused.status_code == 400 and b"Keep the extension: .pdf" in refused.content


def test_only_the_uploader_and_moderators_rename_move_and_delete(civil_servants, make_group):
    world = civil_servants
    group = make_group(world.a_member, members=(world.b_member, world.a_editor))
    item = services.file_upload(group=group, actor=world.b_member.account, upload=SimpleUploadedFile("b.pdf", PDF))
    other = world.client(world.a_editor)
    page = other.get(f"{_files(group.slug)}{item.pk}/").content
    assert b"Rename" not in page  # not offered
    assert other.post(f"{_files(group.slug)}{item.pk}/rename/", {"rename-name": "mine.pdf"}).status_code == 403
    other.post(f"{_files(group.slug)}{item.pk}/delete/")
    item.refresh_from_db()
    assert item.original_name == "b.pdf"
    # The owner (a moderator) may.
    owner = world.client(world.a_member)
    assert owner.post(f"{_files(group.slug)}{item.pk}/rename/", {"rename-name": "Budget.pdf"}).status_code == 302
    item.refresh_from_db()
    assert item.original_name == "Budget.pdf"


def test_deleting_a_folder_deletes_what_is_in_it_and_the_files_leave_the_storage_after_commit(
    civil_servants, make_group, media, django_capture_on_commit_callbacks
):
    world = civil_servants
    group = make_group(world.a_member, members=(world.b_member,))
    actor = world.b_member.account
    folder = services.folder_create(group=group, actor=actor, name="Old")
    inner = services.folder_create(group=group, actor=actor, name="Older", parent_id=folder.pk)
    for name, place in (("one.pdf", folder), ("two.pdf", inner)):
        services.file_upload(group=group, actor=actor, upload=SimpleUploadedFile(name, PDF), folder_id=place.pk)
    kept = services.file_upload(group=group, actor=actor, upload=SimpleUploadedFile("kept.pdf", PDF))
    assert len(_stored(media)) == 3
    with django_capture_on_commit_callbacks() as queued:
        response = world.client(world.b_member).post(f"{_files(group.slug)}folders/{folder.pk}/delete/")
        assert response.status_code == 302 and response["Location"] == _files(group.slug)
        assert not Folder.objects.filter(pk__in=[folder.pk, inner.pk]).exists()
        assert list(GroupFile.objects.filter(group=group)) == [kept]
        assert len(_stored(media)) == 3  # not before the commit
    for callback in queued:
        callback()
    assert [path.name for path in _stored(media)] == [Path(kept.file.name).name]
    assert not GroupActivity.objects.filter(group=group, summary__in=["Old", "Older", "one.pdf", "two.pdf"]).exists()


def test_a_deleted_group_takes_its_files_from_the_storage(
    civil_servants, make_group, media, django_capture_on_commit_callbacks
):
    group = make_group(civil_servants.a_member)
    actor = civil_servants.a_member.account
    folder = services.folder_create(group=group, actor=actor, name="Docs")
    services.file_upload(group=group, actor=actor, upload=SimpleUploadedFile("a.pdf", PDF), folder_id=folder.pk)
    services.file_upload(group=group, actor=actor, upload=SimpleUploadedFile("b.png", PNG))
    assert len(_stored(media)) == 2
    operator = _operator()
    with django_capture_on_commit_callbacks(execute=True):
        group_services.group_delete(group=group, operator=operator.account, confirmation=group.slug)
    assert not GroupFile.objects.exists() and not Folder.objects.exists()
    assert _stored(media) == []


# --- Bad input: a clear error, nothing stored ------------------------------------------------------------


def test_an_oversize_upload_is_refused_naming_the_limit_and_nothing_is_stored(
    civil_servants, make_group, media, settings
):
    settings.GROUP_FILE_MAX_BYTES = 1000
    group = make_group(civil_servants.a_member)
    client = civil_servants.client(civil_servants.a_member)
    refused = _upload(client, group, "big.pdf", PDF + b"x" * 2000)
    assert refused.status_code == 400
    assert b"larger than the limit of 1000" in refused.content and b'role="alert"' in refused.content
    assert not GroupFile.objects.exists() and _stored(media) == []
    # The page says the limit before anyone tries.
    assert b"Up to 1000" in client.get(_files(group.slug)).content


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 60, b"Files of this kind are not accepted. Accepted: pdf, docx"),
        ("tool.pdf", b"MZ\x90\x00" + b"\x00" * 60, b"is not a .pdf file"),
        ("page.png", b"<html><script>alert(1)</script></html>", b"is not a .png file"),
        ("letter.docx", _zip(), b"is not a .docx file"),  # a ZIP, but no Word document
        ("plan.odt", _docx(), b"is not a .odt file"),
        ("notes.txt", b"text\x00with a NUL", b"is not a .txt file"),
        ("noextension", PDF, b"not accepted"),
        ("empty.pdf", b"", b"The file is empty."),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_and_nothing_is_stored(
    civil_servants, make_group, media, name, content, says
):
    group = make_group(civil_servants.a_member)
    refused = _upload(civil_servants.client(civil_servants.a_member), group, name, content)
    assert refused.status_code == 400 and says in refused.content
    assert not GroupFile.objects.exists() and _stored(media) == []


def test_an_extension_taken_off_the_list_is_refused(civil_servants, make_group, settings):
    settings.GROUP_FILE_EXTENSIONS = ["pdf"]
    group = make_group(civil_servants.a_member)
    with pytest.raises(ValidationError, match=r"Accepted: pdf\."):
        services.file_upload(
            group=group, actor=civil_servants.a_member.account, upload=SimpleUploadedFile("a.png", PNG)
        )


def test_a_failure_after_the_file_was_written_leaves_no_row_and_no_file(civil_servants, make_group, media, monkeypatch):
    group = make_group(civil_servants.a_member)
    written: list[str] = []
    storage = group_file_storage()
    original_save = storage.save

    def save_and_note(name, content, max_length=None):  # type: ignore[no-untyped-def]
        written.append(original_save(name, content, max_length=max_length))
        return written[-1]

    def fail(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the activity stream is down")

    monkeypatch.setattr(storage, "save", save_and_note)
    monkeypatch.setattr(services, "activity_record", fail)
    with pytest.raises(RuntimeError):
        services.file_upload(
            group=group, actor=civil_servants.a_member.account, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert len(written) == 1  # it was written...
    assert not GroupFile.objects.exists() and _stored(media) == []  # ...and is gone again


def test_two_uploads_of_one_name_at_the_same_moment_store_one_file(civil_servants, make_group, media, monkeypatch):
    """The check before writing missed the other upload: the database's constraint refuses it, the file goes."""
    group = make_group(civil_servants.a_member)
    actor = civil_servants.a_member.account
    services.file_upload(group=group, actor=actor, upload=SimpleUploadedFile("same.pdf", PDF))
    monkeypatch.setattr(services, "_file_name_taken", lambda *args, **kwargs: False)
    with pytest.raises(ValidationError, match=r"There is a file called “SAME\.pdf” in this folder already"):
        services.file_upload(group=group, actor=actor, upload=SimpleUploadedFile("SAME.pdf", PDF))
    assert GroupFile.objects.count() == 1 and len(_stored(media)) == 1


def test_names_with_paths_or_control_characters_and_duplicate_names_are_refused(civil_servants, make_group, media):
    group = make_group(civil_servants.a_member)
    actor = civil_servants.a_member.account
    client = civil_servants.client(civil_servants.a_member)
    for name in ("../../etc/passwd.txt", "..\\..\\boot.ini.txt", "a/b.pdf"):  # as a client other than a browser may
        with pytest.raises(ValidationError, match="cannot contain / or"):
            services.file_upload(group=group, actor=actor, upload=File(io.BytesIO(PDF), name=name))
    for name in ("bad\x00.pdf", "bad\x1b.pdf", "invoice\u202efdp.exe.pdf"):
        with pytest.raises(ValidationError, match="control characters"):
            services.file_upload(group=group, actor=actor, upload=SimpleUploadedFile(name, PDF))
    for name, says in (("..", "are not names"), ("a/b", "cannot contain"), ("x\\y", "cannot contain"), ("", "name")):
        response = _new_folder(client, group, name)
        assert response.status_code == 400 and says.encode() in response.content, name
    assert not GroupFile.objects.exists() and not Folder.objects.exists() and _stored(media) == []
    # A browser's file name with a path in it: only its last part is kept, and the stored name is random anyway.
    assert _upload(client, group, "../../../evil.pdf", PDF).status_code == 302
    item = GroupFile.objects.get()
    assert item.original_name == "evil.pdf" and item.file.name.startswith(f"groups/{group.pk}/")
    assert all(path.is_relative_to(media / "public" / "groups") for path in _stored(media))
    # Renaming into a path is refused as well.
    refused = client.post(f"{_files(group.slug)}{item.pk}/rename/", {"rename-name": "../../evil.pdf"})
    assert refused.status_code == 400 and b"cannot contain / or" in refused.content
    # The same name twice in one folder (case aside): a clear error.
    duplicate = _upload(client, group, "EVIL.pdf", PDF)
    assert duplicate.status_code == 400 and "There is a file called “EVIL.pdf” in this folder already".encode() in (
        duplicate.content
    )
    assert _new_folder(client, group, "Minutes").status_code == 302
    again = _new_folder(client, group, "minutes")
    assert again.status_code == 400 and "There is a folder called “minutes” here already".encode() in again.content
    assert GroupFile.objects.count() == 1 and Folder.objects.count() == 1 and len(_stored(media)) == 1
    # ...but the same name in another folder is fine.
    minutes = Folder.objects.get()
    assert _upload(client, group, "evil.pdf", PDF, minutes).status_code == 302


# --- From the other organisation, as a citizen, signed out ------------------------------------------------


def test_a_third_organisations_civil_servant_gets_404_in_a_hidden_group_and_the_closed_page_in_a_closed_one(
    civil_servants, make_group, c_member
):
    world = civil_servants
    outsider = world.client(c_member)
    for visibility in ("hidden", "closed"):
        group = make_group(world.a_member, name=f"{visibility} files", visibility=visibility, joining="invitation")
        actor = world.a_member.account
        folder = services.folder_create(group=group, actor=actor, name="Secret folder")
        item = services.file_upload(
            group=group, actor=actor, upload=SimpleUploadedFile("secret.pdf", PDF), folder_id=folder.pk
        )
        paths = ["", f"folders/{folder.pk}/", f"{item.pk}/", f"{item.pk}/download/"]
        for path in paths:
            response = outsider.get(f"{_files(group.slug)}{path}")
            if visibility == "hidden":
                missing = outsider.get(f"{_files('no-such-group')}{path}")
                assert (response.status_code, response.content) == (missing.status_code, missing.content), path
            else:
                assert response.status_code == 403 and b"for its members" in response.content, path
            assert b"Secret folder" not in response.content and b"secret.pdf" not in response.content
            assert not response.has_header("Content-Disposition")
        assert _upload(outsider, group, "mine.pdf", PDF).status_code == (404 if visibility == "hidden" else 403)
        assert GroupFile.objects.filter(group=group).count() == 1


def test_in_an_open_group_a_third_organisations_civil_servant_reads_but_does_not_upload(
    civil_servants, make_group, c_member, media
):
    group = make_group(civil_servants.a_member, name="Open files")
    item = services.file_upload(
        group=group, actor=civil_servants.a_member.account, upload=SimpleUploadedFile("open.pdf", PDF)
    )
    outsider = civil_servants.client(c_member)
    assert _body(_download(outsider, item)) == PDF
    refused = _upload(outsider, group, "mine.pdf", PDF)
    assert refused.status_code == 403 and b"Only the group&#x27;s members add files" in refused.content
    assert GroupFile.objects.count() == 1 and len(_stored(media)) == 1


def test_a_citizen_member_works_and_a_citizen_non_member_is_refused_in_a_civil_servant_group(
    civil_servants, make_group
):
    world = civil_servants
    everyone = make_group(world.a_member, members=(world.citizen,), name="With citizens", audience="everyone")
    citizen = world.client(world.citizen)
    assert _upload(citizen, everyone, "idea.txt", b"My idea.\n").status_code == 302
    item = GroupFile.objects.get(group=everyone)
    assert item.author == world.citizen.account and item.content_type == "text/plain"
    assert _body(_download(world.client(world.b_member), item)) == b"My idea.\n"  # b: not a member, open group

    servants = make_group(world.a_member, name="Civil servants only")
    theirs = services.file_upload(
        group=servants, actor=world.a_member.account, upload=SimpleUploadedFile("memo.pdf", PDF)
    )
    for path in ("", f"{theirs.pk}/", f"{theirs.pk}/download/"):
        assert citizen.get(f"{_files(servants.slug)}{path}").status_code == 404, path
    assert _upload(citizen, servants, "mine.pdf", PDF).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(civil_servants, make_group):
    group = make_group(civil_servants.a_member, audience="everyone")
    item = services.file_upload(
        group=group, actor=civil_servants.a_member.account, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    anonymous = civil_servants.client(None)
    for path in ("", f"{item.pk}/", f"{item.pk}/download/"):
        response = anonymous.get(f"{_files(group.slug)}{path}")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path
    assert _upload(anonymous, group, "b.pdf", PDF).status_code == 302
    assert GroupFile.objects.count() == 1


def test_a_removed_member_loses_access_at_once(civil_servants, make_group):
    world = civil_servants
    group = make_group(world.a_member, members=(world.b_member,), visibility="closed", joining="request")
    item = services.file_upload(group=group, actor=world.a_member.account, upload=SimpleUploadedFile("a.pdf", PDF))
    member = world.client(world.b_member)
    assert _download(member, item).status_code == 200
    memberships.member_remove(group=group, actor=world.a_member.account, account_id=world.b_member.account.pk)
    refused = _download(member, item)  # the same session, the very next request
    assert refused.status_code == 403 and not refused.has_header("Content-Disposition")
    assert member.get(_files(group.slug)).status_code == 403
    assert _upload(member, group, "b.pdf", PDF).status_code == 403


def test_a_switched_off_tab_answers_404(civil_servants, make_group):
    group = make_group(civil_servants.a_member)
    item = services.file_upload(
        group=group, actor=civil_servants.a_member.account, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    Group.objects.filter(pk=group.pk).update(disabled_tabs=["files"])
    client = civil_servants.client(civil_servants.a_member)
    for path in ("", f"{item.pk}/", f"{item.pk}/download/"):
        assert client.get(f"{_files(group.slug)}{path}").status_code == 404, path
    assert _upload(client, group, "b.pdf", PDF).status_code == 404
    assert f'href="{_files(group.slug)}"' not in client.get(f"/groups/{group.slug}/members/").content.decode()


def test_an_archived_group_is_read_only(civil_servants, make_group):
    group = make_group(civil_servants.a_member)
    item = services.file_upload(
        group=group, actor=civil_servants.a_member.account, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    Group.objects.filter(pk=group.pk).update(status=Group.Status.ARCHIVED)
    client = civil_servants.client(civil_servants.a_member)
    assert _download(client, item).status_code == 200
    refused = _upload(client, group, "b.pdf", PDF)
    assert refused.status_code == 403 and b"archived" in refused.content
    assert client.post(f"{_files(group.slug)}{item.pk}/rename/", {"rename-name": "c.pdf"}).status_code == 403
    assert GroupFile.objects.count() == 1


# --- Moderation ------------------------------------------------------------------------------------------


def test_moderators_hide_a_file_or_a_folder_and_remove_them(
    civil_servants, make_group, media, django_capture_on_commit_callbacks
):
    world = civil_servants
    group = make_group(world.a_member, members=(world.b_member,))
    actor = world.b_member.account
    folder = services.folder_create(group=group, actor=actor, name="Drafts")
    inside = services.file_upload(
        group=group, actor=actor, upload=SimpleUploadedFile("inside.pdf", PDF), folder_id=folder.pk
    )
    item = services.file_upload(group=group, actor=actor, upload=SimpleUploadedFile("rude.pdf", PDF))
    owner, member = world.client(world.a_member), world.client(world.b_member)
    file_type = ContentType.objects.get_for_model(GroupFile).pk
    folder_type = ContentType.objects.get_for_model(Folder).pk
    page = f"{_files(group.slug)}{item.pk}/"
    assert b"Hide" in owner.get(page).content and b"Hide" not in member.get(page).content

    # A member reports it; a moderator hides it: out of sight for members, marked for moderators.
    assert (
        member.post(
            f"/groups/{group.slug}/report/{file_type}/{item.pk}/", {"reason": "Rude.", "back": page}
        ).status_code
        == 302
    )
    assert (
        owner.post(
            f"/groups/{group.slug}/moderate/{file_type}/{item.pk}/hide/", {"hidden": "1", "back": page}
        ).status_code
        == 302
    )
    assert b"rude.pdf" not in member.get(_files(group.slug)).content
    assert member.get(page).status_code == 404 and _download(member, item).status_code == 404
    assert member.post(f"{page}delete/").status_code == 404  # the uploader cannot touch it either
    listing = owner.get(_files(group.slug)).content.decode()
    assert "rude.pdf" in listing and "hidden" in listing
    assert _download(owner, item).status_code == 200

    # A hidden folder hides what is in it.
    owner.post(f"/groups/{group.slug}/moderate/{folder_type}/{folder.pk}/hide/", {"hidden": "1"})
    assert b"Drafts" not in member.get(_files(group.slug)).content
    assert member.get(f"{_files(group.slug)}folders/{folder.pk}/").status_code == 404
    assert _download(member, inside).status_code == 404
    assert _download(owner, inside).status_code == 200

    # Removed: the row, its activity line, and (after commit) the stored file go.
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            f"/groups/{group.slug}/moderate/{file_type}/{item.pk}/remove/", {"back": _files(group.slug)}
        )
        assert response.status_code == 302 and response["Location"] == _files(group.slug)
        owner.post(f"/groups/{group.slug}/moderate/{folder_type}/{folder.pk}/remove/")
    assert not GroupFile.objects.exists() and not Folder.objects.exists()
    assert not GroupActivity.objects.filter(group=group, verb="file.uploaded", summary="rude.pdf").exists()
    assert _stored(media) == []


# --- Sending -----------------------------------------------------------------------------------------------


@pytest.fixture
def sendfile_through_nginx(settings):  # type: ignore[no-untyped-def]
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_URL = "/protected-media"
    _get_sendfile.cache_clear()
    yield settings.SENDFILE_URL
    _get_sendfile.cache_clear()


def test_behind_nginx_a_permitted_download_is_handed_to_the_web_server(
    civil_servants, make_group, c_member, sendfile_through_nginx
):
    group = make_group(civil_servants.a_member, visibility="closed")
    item = services.file_upload(
        group=group, actor=civil_servants.a_member.account, upload=SimpleUploadedFile("Verslag é.pdf", PDF)
    )
    permitted = _download(civil_servants.client(civil_servants.a_member), item)
    assert permitted.status_code == 200 and permitted.content == b""
    assert permitted["X-Accel-Redirect"] == f"{sendfile_through_nginx}/public/{item.file.name}"
    assert (
        permitted["Content-Disposition"].startswith("attachment;")
        and "UTF-8''Verslag%20%C3%A9.pdf" in (permitted["Content-Disposition"])
    )
    assert permitted["Content-Type"] == "application/pdf" and permitted["X-Content-Type-Options"] == "nosniff"
    assert "private" in permitted["Cache-Control"]
    refused = _download(civil_servants.client(c_member), item)
    assert refused.status_code == 403 and not refused.has_header("X-Accel-Redirect")


# --- Queries ---------------------------------------------------------------------------------------------


def _listing_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_folder_page_with_many_items_takes_no_query_per_item(
    civil_servants, make_group, django_assert_max_num_queries
):
    world = civil_servants
    people = (world.a_member, world.b_member, world.a_editor)
    group = make_group(world.a_member, members=people[1:])
    top = services.folder_create(group=group, actor=world.a_member.account, name="Top")
    client = world.client(world.a_member)
    url = f"{_files(group.slug)}folders/{top.pk}/"
    services.folder_create(group=group, actor=world.b_member.account, name="Sub 0", parent_id=top.pk)
    services.file_upload(
        group=group, actor=world.b_member.account, upload=SimpleUploadedFile("f0.txt", b"0"), folder_id=top.pk
    )
    client.get(url)  # warm the caches (content types, the session)
    few = _listing_queries(client, url)
    for number in range(1, 30):
        author = people[number % 3].account
        services.folder_create(group=group, actor=author, name=f"Sub {number}", parent_id=top.pk)
        services.file_upload(
            group=group, actor=author, upload=SimpleUploadedFile(f"f{number}.txt", b"x"), folder_id=top.pk
        )
    with django_assert_max_num_queries(few):
        page = client.get(url)
    assert page.status_code == 200 and b"f29.txt" in page.content and b"Sub 29" in page.content
    assert _listing_queries(client, _files(group.slug)) <= few
