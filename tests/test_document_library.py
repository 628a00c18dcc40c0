"""The document library: browse by collection, search, sort and pages — only the documents the viewer may see.

Org A holds a document in each level collection ("Organisation", "Civil servants", "Public"), one in a
"Policy" sub-collection of "Civil servants" and one unfiled (the root collection: the organisation's default,
organisation-only on an intranet). Org B's member is a recognised civil servant of another organisation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from wagtail.documents import get_document_model
from wagtail.models import Collection, Site

from sites import catalogue
from tenant_apps.document_library import catalogue_entry
from tenant_apps.document_library.demo import POLICY_COLLECTION, demo_documents_ensure, tiny_pdf
from tenant_apps.document_library.models import DocumentLibraryPage
from tenant_apps.document_library.selectors import documents_recent, visible_collection_ids
from tenant_apps.document_library.services import document_add
from tenant_apps.pages.models import ContentPage
from tenant_apps.pages.visibility import COLLECTION_LEVELS, EVERY_LEVEL
from tests.harness.clients import client_for
from tests.visibility_support import LEVELS, MAY_SEE, client_as, recognise_org_b_staff_as_civil_servants

pytestmark = pytest.mark.django_db

COLLECTION_OF = {level.key: name for name, level in COLLECTION_LEVELS.items()}
VIEWERS = ["anonymous", "citizen", "civil_servant_of_b", "a_member"]
#: The documents each viewer sees in the whole library (their titles); the unfiled memo is organisation-only.
TITLES = {level: f"Report {level}" for level in LEVELS}


@dataclass
class Library:
    world: object
    page_id: int
    collection_ids: dict[str, int]  # level -> the level collection's id; "policy" -> the sub-collection's
    document_urls: dict[str, str]  # title -> served URL


def _document(*, title: str, file_name: str, collection: Collection, tags: tuple[str, ...] = ()) -> object:
    return document_add(
        title=title, file_name=file_name, content=f"{title}\n".encode(), collection=collection, tags=tags
    )


@pytest.fixture
def library(world, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # django-tenants' storage caches MEDIA_ROOT and misses the setting_changed signal for it.
    storages["default"].__dict__.pop("relative_media_root", None)
    recognise_org_b_staff_as_civil_servants(world)
    collection_ids: dict[str, int] = {}
    urls: dict[str, str] = {}
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        page = home.add_child(instance=DocumentLibraryPage(title="Library", slug="library", visibility="public"))
        for level in LEVELS:
            collection = Collection.objects.get(name=COLLECTION_OF[level], depth=2)
            collection_ids[level] = collection.pk
            document = _document(
                title=TITLES[level],
                file_name=f"report-{level}.txt",
                collection=collection,
                tags=("budget",) if level == "public" else ("internal",),
            )
            urls[document.title] = document.url
        policy = Collection.objects.get(pk=collection_ids["civil_servants"]).add_child(
            instance=Collection(name="Policy")
        )
        collection_ids["policy"] = policy.pk
        note = _document(title="Procurement note", file_name="procurement.pdf", collection=policy, tags=("policy",))
        urls[note.title] = note.url
        memo = _document(title="Unfiled memo", file_name="memo.txt", collection=Collection.get_first_root_node())
        urls[memo.title] = memo.url
    yield Library(world, page.pk, collection_ids, urls)
    storages["default"].__dict__.pop("relative_media_root", None)


def _sees(viewer: str, level: str) -> bool:
    return level in MAY_SEE[viewer]


# --- Browsing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_library_lists_only_the_collections_and_documents_the_viewer_may_see(library, viewer):
    response = client_as(library.world, viewer).get("/library/")
    assert response.status_code == 200
    html = response.content.decode()
    for level in LEVELS:
        shown = f'/library/collection/{library.collection_ids[level]}/">{COLLECTION_OF[level]}</a>' in html
        assert shown == _sees(viewer, level), level
    # The root collection's own (unfiled) documents take the organisation's default: organisation only.
    assert ("Unfiled memo" in html) == (viewer == "a_member")
    # Documents of sub-collections are not listed at the root, only counted.
    assert "Report public" not in html and "Procurement note" not in html
    # Counts: what the viewer may see in the collection and below it.
    if _sees(viewer, "civil_servants"):
        assert 'Civil servants</a>\n      <span class="muted">(2 documents)' in html
    assert 'Public</a>\n      <span class="muted">(1 document)' in html


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_collection_shows_its_documents_and_breadcrumbs_to_those_who_may_see_it(library, viewer):
    path = f"/library/collection/{library.collection_ids['civil_servants']}/"
    response = client_as(library.world, viewer).get(path)
    if _sees(viewer, "civil_servants"):
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Civil servants</h1>" in html
        assert f'<a href="{library.document_urls["Report civil_servants"]}">Report civil_servants</a>' in html
        assert f'/library/collection/{library.collection_ids["policy"]}/">Policy</a>' in html
        assert '<li><a href="/library/">Library</a></li>' in html  # the breadcrumbs start at the library
        assert "TXT" in html and "bytes" in html  # file type and size
        assert "Report public" not in html and "Report organisation" not in html
    elif viewer == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"
    else:
        assert response.status_code == 403
        assert b"Civil servants" not in response.content and b"Report" not in response.content


def test_a_sub_collection_has_the_whole_path_in_its_breadcrumbs(library):
    response = client_as(library.world, "civil_servant_of_b").get(
        f"/library/collection/{library.collection_ids['policy']}/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="/library/collection/{library.collection_ids["civil_servants"]}/">Civil servants</a>' in html
    assert 'aria-current="page">Policy</a>' in html
    assert "Procurement note" in html and "PDF" in html


def test_the_organisation_collection_is_refused_to_outsiders(library):
    path = f"/library/collection/{library.collection_ids['organisation']}/"
    assert client_as(library.world, "a_member").get(path).status_code == 200
    assert client_as(library.world, "civil_servant_of_b").get(path).status_code == 403
    assert client_as(library.world, "citizen").get(path).status_code == 403
    assert client_as(library.world, "anonymous").get(path).status_code == 302


def test_and_from_the_other_organisation_a_collection_of_org_b_is_not_found(library):
    world = library.world
    with tenant_context(world.org_a):
        largest_in_a = max(Collection.objects.values_list("pk", flat=True))
    with tenant_context(world.org_b):
        root = Collection.get_first_root_node()
        other = root.add_child(instance=Collection(name="B's own"))
        while other.pk <= largest_in_a:  # an id org A does not have (sequences are per schema)
            other = root.add_child(instance=Collection(name=f"B's own {other.pk}"))
    for viewer in ("a_member", "civil_servant_of_b", "anonymous"):
        assert client_as(world, viewer).get(f"/library/collection/{other.pk}/").status_code == 404
    assert client_for(world.org_a, person=world.b_member).get(f"/library/collection/{other.pk}/").status_code == 404


def test_a_collection_outside_the_librarys_root_collection_is_not_found(library):
    world = library.world
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        home.add_child(
            instance=DocumentLibraryPage(
                title="Public files",
                slug="public-files",
                visibility="public",
                root_collection_id=library.collection_ids["public"],
            )
        )
    member = client_as(world, "a_member")
    root = member.get("/public-files/")
    assert root.status_code == 200
    assert b"Report public" in root.content  # the root collection's own documents
    assert b"Unfiled memo" not in root.content and b"Report organisation" not in root.content
    assert member.get(f"/public-files/collection/{library.collection_ids['public']}/").status_code == 200
    for outside in ("organisation", "civil_servants", "policy"):
        assert member.get(f"/public-files/collection/{library.collection_ids[outside]}/").status_code == 404
    assert member.get("/public-files/collection/1/").status_code == 404  # the tree's root is above it too


# --- Search, sort, pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_search_in_the_library_finds_only_what_the_viewer_may_see(library, viewer):
    client = client_as(library.world, viewer)
    html = client.get("/library/", {"q": "report"}).content.decode()
    for level in LEVELS:
        assert (TITLES[level] in html) == _sees(viewer, level), level
    # By file name, by tag, and across sub-collections.
    assert ("Procurement note" in client.get("/library/", {"q": "procurement.pdf"}).content.decode()) == _sees(
        viewer, "civil_servants"
    )
    assert "Report public" in client.get("/library/", {"q": "budget"}).content.decode()
    internal = client.get("/library/", {"q": "internal"}).content.decode()
    assert ("Report organisation" in internal) == _sees(viewer, "organisation")
    assert ("Report civil_servants" in internal) == _sees(viewer, "civil_servants")
    assert "No documents match your search." in client.get("/library/", {"q": "nothing-like-this"}).content.decode()


def test_search_within_a_collection_stays_within_it(library):
    client = client_as(library.world, "a_member")
    html = client.get(f"/library/collection/{library.collection_ids['civil_servants']}/", {"q": "o"}).content.decode()
    assert "Report civil_servants" in html and "Procurement note" in html
    assert "Report public" not in html and "Report organisation" not in html and "Unfiled memo" not in html


@pytest.mark.parametrize(
    "params", [{"q": "report\x00"}, {"q": "x" * 201}, {"sort": "bogus"}], ids=["nul", "too-long", "bad-sort"]
)
def test_bad_search_input_is_a_clear_400(library, params):
    response = client_as(library.world, "a_member").get("/library/", params)
    assert response.status_code == 400
    # A NUL byte is refused before the page is reached (tenants/nul_bytes.py), with a message of its own.
    assert b'role="alert"' in response.content or (params.get("q", "").endswith("\x00") and b"NUL" in response.content)


def test_sorting_by_title_or_newest_and_pages_of_25(library):
    world = library.world
    with tenant_context(world.org_a):
        public = Collection.objects.get(pk=library.collection_ids["public"])
        now = timezone.now()
        for number in range(26):
            document = _document(title=f"Item {number:02d}", file_name=f"item-{number}.txt", collection=public)
            # Item 00 is the newest
            get_document_model().objects.filter(pk=document.pk).update(
                created_at=now - datetime.timedelta(days=number + 1)
            )
        get_document_model().objects.filter(title="Report public").update(created_at=now)
    client = client_as(world, "citizen")
    path = f"/library/collection/{library.collection_ids['public']}/"
    by_title = client.get(path).content.decode()
    assert by_title.index("Item 00") < by_title.index("Item 24")
    assert "Item 25" not in by_title and "Report public" not in by_title  # 27 documents: 25 on the first page
    assert "Page 1 of 2" in by_title and "27 documents" in by_title
    second = client.get(path, {"page": 2}).content.decode()
    assert "Item 25" in second and "Report public" in second
    newest = client.get(path, {"sort": "newest"}).content.decode()
    assert newest.index("Report public") < newest.index("Item 00") < newest.index("Item 23")
    assert "Item 24" not in newest
    assert client.get(path, {"page": "not-a-number"}).status_code == 200


# --- The home block, the selectors, the files ------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_home_block_lists_the_newest_documents_the_viewer_may_see(library, viewer):
    html = client_as(library.world, viewer).get("/").content.decode()
    assert "Recent documents" in html
    for level in LEVELS:
        assert (TITLES[level] in html) == _sees(viewer, level), level
    assert ("Unfiled memo" in html) == (viewer == "a_member")
    assert ('href="/library/">All documents</a>' in html) or ('href="/documents/">All documents</a>' in html)


def test_the_home_block_and_the_selectors_agree_with_can_view_document(library):
    from_b = client_for(library.world.org_a, person=library.world.b_member).get("/").content.decode()
    assert "Report civil_servants" in from_b and "Report organisation" not in from_b
    with tenant_context(library.world.org_a):
        every = {document.title for document in documents_recent(viewer=EVERY_LEVEL, limit=20)}
        assert {*TITLES.values(), "Procurement note", "Unfiled memo"} <= every
        ids = visible_collection_ids(viewer=EVERY_LEVEL)
        assert set(Collection.objects.values_list("pk", flat=True)) == ids


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_listed_links_serve_the_file_only_to_those_who_may_see_it(library, viewer):
    client = client_as(library.world, viewer)
    for level in LEVELS:
        response = client.get(library.document_urls[TITLES[level]])
        assert (response.status_code == 200) == _sees(viewer, level), level


# --- Bounded queries --------------------------------------------------------------------------------------------


def _add_batch(*, parent: Collection, count: int, prefix: str) -> None:
    """``count`` sub-collections of ``parent``, each with one document, and ``count`` documents in ``parent``."""
    for number in range(count):
        child = parent.add_child(instance=Collection(name=f"{prefix} folder {number}"))
        _document(title=f"{prefix} in folder {number}", file_name=f"{prefix}-f{number}.txt", collection=child)
        _document(title=f"{prefix} loose {number}", file_name=f"{prefix}-l{number}.txt", collection=parent)


@pytest.mark.parametrize("viewer", ["a_member", "civil_servant_of_b"])
@pytest.mark.parametrize("params", [{}, {"q": "batch"}, {"sort": "newest"}], ids=["browse", "search", "newest"])
def test_a_listing_issues_the_same_number_of_queries_for_n_and_3n_documents_and_collections(library, viewer, params):
    world = library.world
    client = client_as(world, viewer)
    path = f"/library/collection/{library.collection_ids['civil_servants']}/"
    client.get(path, params)  # warm the per-process caches (content types, site root paths)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, params)
        assert response.status_code == 200
        return len(captured.captured_queries)

    with tenant_context(world.org_a):
        parent = Collection.objects.get(pk=library.collection_ids["civil_servants"])
        _add_batch(parent=parent, count=3, prefix="batch a")
    with_n = queries()
    with tenant_context(world.org_a):
        parent = Collection.objects.get(pk=library.collection_ids["civil_servants"])
        _add_batch(parent=parent, count=6, prefix="batch b")
    with_3n = queries()
    assert with_3n == with_n
    listing = client.get(path, params).content.decode()
    assert "batch b loose 5" in listing or "batch b in folder 5" in listing or "batch b folder 5" in listing


def test_the_home_block_issues_the_same_number_of_queries_for_n_and_3n_documents(library):
    world = library.world
    found = catalogue.home_block("documents.recent")
    assert found is not None
    _, block = found

    def queries() -> int:
        with tenant_context(world.org_a), CaptureQueriesContext(connection) as captured:
            context = block.context(request=None, page=None, value={"count": 20})
            assert context["documents"]
        return len(captured.captured_queries)

    with tenant_context(world.org_a):
        _add_batch(parent=Collection.objects.get(pk=library.collection_ids["public"]), count=3, prefix="n")
    with_n = queries()
    with tenant_context(world.org_a):
        _add_batch(parent=Collection.objects.get(pk=library.collection_ids["public"]), count=6, prefix="m")
    assert queries() == with_n


# --- The catalogue: section, demo content, services ---------------------------------------------------------------


def test_the_catalogue_entry_declares_the_page_type_section_and_block():
    app = catalogue.catalogue_app("documents")
    assert app is catalogue_entry.APP
    assert app.order == 40 and app.page_types == ("org_document_library.documentlibrarypage",)
    assert app.section is not None and app.section.slug == "documents"
    assert app.section.title("nl") == "Documenten" and app.section.title("en") == "Documents"
    assert [block.key for block in app.home_blocks] == ["documents.recent"]


def test_every_new_intranet_has_the_documents_section_in_its_menu(world):
    with tenant_context(world.org_a):
        section = DocumentLibraryPage.objects.get(slug="documents")
        assert section.live and section.show_in_menus
    assert client_as(world, "a_member").get("/documents/").status_code == 200


def test_the_section_is_seeded_in_the_organisations_language(world):
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        sandbox = home.add_child(instance=ContentPage(title="Sandbox", slug="sandbox"))
        seeded = catalogue_entry.section_seed(home=sandbox, language="nl")
        assert isinstance(seeded, DocumentLibraryPage)
        assert seeded.title == "Documenten" and seeded.live and seeded.show_in_menus
        assert seeded.get_parent().pk == sandbox.pk


@pytest.mark.parametrize("language", ["nl", "en"])
def test_demo_content_fills_the_level_collections_and_a_policy_collection_once(world, settings, tmp_path, language):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    storages["default"].__dict__.pop("relative_media_root", None)
    try:
        with tenant_context(world.org_a):
            section = DocumentLibraryPage.objects.get(slug="documents")
            demo_documents_ensure(section=section, language=language)
            Document = get_document_model()
            made = Document.objects.select_related("collection").prefetch_related("tags")
            assert 4 <= made.count() <= 6
            policy = Collection.objects.get(name=POLICY_COLLECTION[language])
            assert policy.get_parent().name == "Civil servants"
            in_levels = {document.collection.name for document in made}
            assert {"Organisation", "Civil servants", "Public", POLICY_COLLECTION[language]} <= in_levels
            assert all(document.tags.all() for document in made)
            pdf = made.filter(file__endswith=".pdf").first()
            with pdf.file.open("rb") as handle:
                content = handle.read()
            assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
            assert pdf.file_size == len(content)
            demo_documents_ensure(section=section, language=language)  # a second run adds nothing
            assert Document.objects.count() == made.count()
    finally:
        storages["default"].__dict__.pop("relative_media_root", None)


def test_tiny_pdf_has_a_correct_cross_reference_table():
    content = tiny_pdf(title="Jaarverslag (2025)", lines=["Één regel"])
    start = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert content[start:].startswith(b"xref\n")
    offsets = [int(line.split()[0]) for line in content[start:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, start=1):
        assert content[offset:].startswith(b"%d 0 obj" % number)


def test_adding_a_document_refuses_bad_input_and_writes_nothing(world):
    with tenant_context(world.org_a):
        public = Collection.objects.get(name="Public", depth=2)
        before = get_document_model().objects.count()
        for bad in (
            {"title": " ", "file_name": "a.txt", "content": b"x"},
            {"title": "A", "file_name": "../a.txt", "content": b"x"},
            {"title": "A", "file_name": "noextension", "content": b"x"},
            {"title": "A", "file_name": "a.txt", "content": b""},
        ):
            with pytest.raises(ValidationError):
                document_add(collection=public, **bad)
        assert get_document_model().objects.count() == before


def test_an_administrator_can_add_a_library_in_the_editor(world):
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
    client = client_for(world.org_a, person=world.a_admin)
    response = client.get(f"/admin/pages/add/org_document_library/documentlibrarypage/{home.pk}/")
    assert response.status_code == 200
    assert b'name="root_collection"' in response.content
