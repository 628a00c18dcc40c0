"""Visibility on every channel besides page serving: menu, listings, search, feed, sitemap, pages API, documents,
image renditions — plus previews and caches. Each channel asks ``tenant_apps.pages.visibility``.

The matrix: 3 levels x 5 viewers x 10 channels, each cell asserted both ways (shown when the viewer may
see that level, absent or refused when not).
"""

from __future__ import annotations

import base64
import io
import json
import re
import uuid
from dataclasses import dataclass
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Collection, Page, Site
from wagtail.utils.sendfile import _get_sendfile

from shared_apps.search.services import organisation_reindex
from tenant_apps.pages.models import CollectionLevel, ContentPage
from tenant_apps.pages.services import collection_level_set
from tenant_apps.pages.views import signed_image_url
from tenant_apps.pages.visibility import (
    COLLECTION_LEVELS,
    Level,
    Viewer,
    can_view_document,
    can_view_page,
    collection_level,
    collections_with_levels,
    visible_pages,
)
from tenants.audit import Actor
from tenants.models import Organisation
from tests.harness.clients import client_for
from tests.visibility_support import LEVELS, MAY_SEE, client_as, recognise_org_b_staff_as_civil_servants

pytestmark = pytest.mark.django_db

COLLECTION_OF = {level.key: name for name, level in COLLECTION_LEVELS.items()}
SEARCH_WORD = "zebracrossing"


def _png() -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (4, 4), (21, 66, 115)).save(buffer, "PNG")
    return buffer.getvalue()


def _forget_cached_rendition(image, spec: str) -> None:  # type: ignore[no-untyped-def]
    """Wagtail caches renditions (in Redis, which outlives the test database) by image id and file hash,
    and ids start again in every test database: a stale entry would point at another run's file."""
    rendition_model = image.get_rendition_model()
    image_filter = Filter(spec=spec)
    key = rendition_model.construct_cache_key(image, image_filter.get_cache_key(image), image_filter.spec)
    rendition_model.cache_backend.delete(key)


@dataclass
class Content:
    """What the fixture made in org A, per level."""

    world: object
    page_ids: dict[str, int]
    document_urls: dict[str, str]
    document_bytes: dict[str, bytes]
    image_urls: dict[str, str]
    #: Where Wagtail's {% image %} tag and the admin's thumbnails link a rendition: MEDIA_URL<schema>/images/...
    rendition_file_urls: dict[str, str]
    original_file_urls: dict[str, str]


@pytest.fixture
def pages(world, settings, tmp_path):  # type: ignore[no-untyped-def]
    """One page, document and image per level in org A, and org B's staff recognised as civil servants."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # django-tenants' storage caches MEDIA_ROOT and misses the setting_changed signal for it.
    storages["default"].__dict__.pop("relative_media_root", None)
    recognise_org_b_staff_as_civil_servants(world)
    page_ids, document_urls, document_bytes, image_urls = {}, {}, {}, {}
    rendition_file_urls, original_file_urls = {}, {}
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        section = home.add_child(instance=ContentPage(title="Section", slug="section", visibility="public"))
        for level in LEVELS:  # a public section listing one page of each level
            section.add_child(
                instance=ContentPage(title=f"Listed {level} item", slug=f"listed-{level}", visibility=level)
            )
        for level in LEVELS:
            page = home.add_child(
                instance=ContentPage(
                    title=f"Secret {level} title",
                    slug=f"level-{level}",
                    visibility=level,
                    summary=f"Summary of {level}",
                    body=f"<p>The {SEARCH_WORD} report for {level}.</p>",
                    show_in_menus=True,
                )
            )
            page_ids[level] = page.pk
            collection = Collection.objects.get(name=COLLECTION_OF[level], depth=2)
            content = f"secret {level} document".encode()
            document = get_document_model().objects.create(
                title=f"Secret {level} document",
                file=ContentFile(content, name=f"doc-{level}.txt"),
                collection=collection,
            )
            document_urls[level], document_bytes[level] = document.url, content
            image = get_image_model().objects.create(
                title=f"Secret {level} image",
                file=ImageFile(io.BytesIO(_png()), name=f"img-{level}.png"),
                collection=collection,
            )
            _forget_cached_rendition(image, "width-2")
            image_urls[level] = signed_image_url(image, "width-2")
            _forget_cached_rendition(image, "width-3")
            rendition_file_urls[level] = image.get_rendition("width-3").url
            original_file_urls[level] = image.file.url
    organisation_reindex(organisation=world.org_a)  # the platform search's index (its tasks do this on publish)
    yield Content(world, page_ids, document_urls, document_bytes, image_urls, rendition_file_urls, original_file_urls)
    storages["default"].__dict__.pop("relative_media_root", None)


def _assert_refused(response, *, viewer: str, path: str, secret: bytes) -> None:  # type: ignore[no-untyped-def]
    """Anonymous: off to sign in. Signed in: a 403 that shows nothing of what it refuses."""
    if viewer == "anonymous":
        assert response.status_code == 302
        login, _, next_url = response["Location"].partition("?next=")
        assert login == "/accounts/login/" and unquote(unquote(next_url)) == path
    else:
        assert response.status_code == 403
        assert secret not in response.content


# --- The matrix ------------------------------------------------------------------------------------------


def _shown_in(response, level: str) -> bool:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return f"Secret {level} title".encode() in response.content


def _channel_menu(content: Content, client, viewer: str) -> None:  # type: ignore[no-untyped-def]
    """The site menu in the header of every subsite page, here on a page everyone may open."""
    page = client.get("/section/")
    assert page.status_code == 200
    menu = re.search(rb'<nav class="site-menu".*?</nav>', page.content, re.DOTALL).group(0)
    assert b"Search" in menu  # the menu is there for everyone
    for level in LEVELS:
        assert (f"Secret {level} title".encode() in menu) == (level in MAY_SEE[viewer]), level


def _channel_listing(content: Content, client, viewer: str) -> None:  # type: ignore[no-untyped-def]
    """A page's listing of the pages below it: a section's, and the home page's."""
    section = client.get("/section/")
    listing = re.search(rb'<ul class="child-pages">.*?</ul>', section.content, re.DOTALL).group(0)
    for level in LEVELS:
        assert (f"Listed {level} item".encode() in listing) == (level in MAY_SEE[viewer]), level
    # The intranet home is a dashboard (its blocks list news, events, what is new...): nothing closed to the
    # viewer shows there (what it lists is tested in tests/test_subsite_pages.py and the apps' tests).
    home = client.get("/")
    body = re.search(rb"<main[^>]*>.*</main>", home.content, re.DOTALL).group(0)
    for level in LEVELS:
        if level not in MAY_SEE[viewer]:
            assert f"Secret {level} title".encode() not in body, level


def _channel_search(content: Content, client, viewer: str) -> None:  # type: ignore[no-untyped-def]
    results = client.get("/search/", {"q": SEARCH_WORD})
    assert results.status_code == 200
    found = re.search(rb'<ol [^>]*class="search-results">.*?</ol>', results.content, re.DOTALL).group(0)
    for level in LEVELS:  # in the results themselves, not the menu around them
        assert (f"Secret {level} title".encode() in found) == (level in MAY_SEE[viewer]), level
    assert b"level-public" in found  # the search really found something


def _channel_feed(content: Content, client, viewer: str) -> None:  # type: ignore[no-untyped-def]
    feed = client.get("/feed/")
    assert feed["Content-Type"].startswith("application/rss+xml")
    for level in LEVELS:
        assert _shown_in(feed, level) == (level in MAY_SEE[viewer]), level


def _channel_sitemap(content: Content, client, viewer: str) -> None:  # type: ignore[no-untyped-def]
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    body = sitemap.content
    for level in LEVELS:  # for search engines: public pages only, whoever asks
        assert (f"/level-{level}/".encode() in body) == (level == "public"), level
    assert b"/news/" not in body  # intranet sections take the organisation's default


def _channel_api_list(content: Content, client, viewer: str) -> None:  # type: ignore[no-untyped-def]
    listing = client.get("/api/v2/pages/", {"limit": 20})
    assert listing.status_code == 200
    titles = {item["title"] for item in json.loads(listing.content)["items"]}
    for level in LEVELS:
        assert (f"Secret {level} title" in titles) == (level in MAY_SEE[viewer]), level


def _channel_api_detail(content: Content, client, viewer: str) -> None:  # type: ignore[no-untyped-def]
    for level in LEVELS:
        detail = client.get(f"/api/v2/pages/{content.page_ids[level]}/")
        if level in MAY_SEE[viewer]:
            assert detail.status_code == 200, level
            assert json.loads(detail.content)["title"] == f"Secret {level} title"
        else:
            assert detail.status_code == 404, level
            assert b"Secret" not in detail.content


def _channel_document(content: Content, client, viewer: str) -> None:  # type: ignore[no-untyped-def]
    for level in LEVELS:
        url = content.document_urls[level]
        response = client.get(url)
        if level in MAY_SEE[viewer]:
            assert response.status_code == 200, level
            assert b"".join(response.streaming_content) == content.document_bytes[level]
        else:
            _assert_refused(response, viewer=viewer, path=url, secret=content.document_bytes[level])


def _assert_image_served_or_refused(client, url: str, *, level: str, viewer: str) -> None:  # type: ignore[no-untyped-def]
    """Shown: the PNG, kept by shared caches only at the public level. Not: refused, no bytes."""
    response = client.get(url)
    if level not in MAY_SEE[viewer]:
        _assert_refused(response, viewer=viewer, path=url, secret=b"\x89PNG")
        return
    assert response.status_code == 200, (level, url)
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    cache_control = response["Cache-Control"]
    assert ("private" in cache_control) == (level != "public"), cache_control
    assert ("public" in cache_control) == (level == "public"), cache_control


def _channel_image(content: Content, client, viewer: str) -> None:  # type: ignore[no-untyped-def]
    """Renditions through the signed, checked view (rich text)."""
    for level in LEVELS:
        _assert_image_served_or_refused(client, content.image_urls[level], level=level, viewer=viewer)


def _channel_stored_files(content: Content, client, viewer: str) -> None:  # type: ignore[no-untyped-def]
    """The files Wagtail links directly (renditions in {% image %} and the admin, originals): checked too."""
    for level in LEVELS:
        for url in (content.rendition_file_urls[level], content.original_file_urls[level]):
            assert url.startswith(f"/media/{content.world.org_a.schema_name}/"), url
            _assert_image_served_or_refused(client, url, level=level, viewer=viewer)


CHANNELS = {
    "menu": _channel_menu,
    "listing": _channel_listing,
    "search": _channel_search,
    "feed": _channel_feed,
    "sitemap": _channel_sitemap,
    "api_list": _channel_api_list,
    "api_detail": _channel_api_detail,
    "document": _channel_document,
    "image": _channel_image,
    "stored_image_file": _channel_stored_files,
}


@pytest.mark.parametrize("channel", list(CHANNELS))
@pytest.mark.parametrize("viewer", list(MAY_SEE))
def test_visibility_matrix(pages, viewer, channel):
    CHANNELS[channel](pages, client_as(pages.world, viewer), viewer)


# --- The selector ------------------------------------------------------------------------------------------


def _tree(world):  # type: ignore[no-untyped-def]
    """Org A: the matrix pages, plus pages below them and a page type without a level of its own."""
    with tenant_context(world.org_a):
        civil = ContentPage.objects.get(slug="level-civil_servants")
        public = ContentPage.objects.get(slug="level-public")
        # Editors cannot make a child wider than its parent, but narrowing a parent leaves its children's own
        # levels as they were: the selector must close such a child all the same.
        # (The same when the organisation's default, which a page without a level takes, is narrowed.)
        wider = [civil.add_child(instance=ContentPage(title="Public below civil", slug="p-below-c"))]
        public.add_child(instance=ContentPage(title="Default below public", slug="d-below-p"))
        plain = public.add_child(instance=Page(title="Plain page below public", slug="plain-below-p"))
        wider.append(plain.add_child(instance=ContentPage(title="Public below plain", slug="p-below-plain")))
        ContentPage.objects.filter(pk__in=[page.pk for page in wider]).update(visibility="public")
        public.add_child(instance=ContentPage(title="Public below public", slug="p-below-p", visibility="public"))


VIEWERS = {
    "public": Viewer(authenticated=False),
    "civil_servant": Viewer(authenticated=True, civil_servant=True),
    "member": Viewer(authenticated=True, member=True, civil_servant=True),
}


@pytest.mark.parametrize("default", ["organisation", "civil_servants", "public"])
@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_visible_pages_agrees_with_can_view_page_in_one_query(pages, viewer, default):
    world = pages.world
    _tree(world)
    world.org_a.default_visibility = default  # this test's copy only: the organisation's default
    with tenant_context(world.org_a):
        everything = list(Page.objects.filter(depth__gte=2).specific())
        expected = {p.pk for p in everything if can_view_page(viewer=VIEWERS[viewer], page=p)}
        with CaptureQueriesContext(connection) as queries:
            found = {p.pk for p in visible_pages(queryset=Page.objects.filter(depth__gte=2), viewer=VIEWERS[viewer])}
        assert len([q for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]) == 1
    assert found == expected
    seen = {p.title for p in everything if p.pk in found}
    # Spot checks, so that the comparison above cannot pass vacuously.
    assert ("Public below public" in seen) is True
    assert ("Public below civil" in seen) == (viewer != "public")
    assert ("Secret organisation title" in seen) == (viewer == "member")
    # The plain page has no level of its own: the organisation's default, for it and all below it.
    assert ("Public below plain" in seen) == (
        viewer == "member" or Level.of(default) >= VIEWERS[viewer].highest_restriction_seen
    )


def test_api_search_and_lookups_do_not_reach_closed_pages(pages):
    client = client_as(pages.world, "citizen")
    found = json.loads(client.get("/api/v2/pages/", {"search": SEARCH_WORD}).content)["items"]
    assert {item["title"] for item in found} == {"Secret public title"}
    closed = pages.page_ids["organisation"]
    assert client.get("/api/v2/pages/", {"child_of": closed}).status_code == 400  # "parent page doesn't exist"
    assert client.get("/api/v2/pages/find/", {"html_path": "/level-organisation/"}).status_code == 404
    assert client.get("/api/v2/pages/find/", {"html_path": "/level-public/"}).status_code == 302
    member = client_as(pages.world, "a_member")
    assert member.get("/api/v2/pages/find/", {"html_path": "/level-organisation/"}).status_code == 302


def test_the_api_takes_no_basic_authentication(pages):
    credentials = base64.b64encode(f"{pages.world.a_member.email}:{pages.world.a_member.password}".encode())
    client = client_for(pages.world.org_a)
    response = client.get(
        f"/api/v2/pages/{pages.page_ids['organisation']}/", HTTP_AUTHORIZATION=f"Basic {credentials.decode()}"
    )
    assert response.status_code == 404


# --- Documents and images: the collection decides ---------------------------------------------------------


def test_every_organisation_has_a_collection_per_level_and_the_root_takes_the_default(pages):
    world = pages.world
    for organisation in (world.org_a, world.org_b):
        with tenant_context(organisation):
            carried = dict(CollectionLevel.objects.values_list("collection__name", "level"))
            assert carried == {name: level.key for name, level in COLLECTION_LEVELS.items()}
    with tenant_context(world.org_a):
        root = Collection.get_first_root_node()
        assert collection_level(root) == Level.ORGANISATION  # the intranet's default
        public = Collection.objects.get(name="Public", depth=2)
        press = public.add_child(instance=Collection(name="Press kit"))
        assert collection_level(press) == Level.PUBLIC  # a collection without a level takes its parent's
        narrower = press.add_child(instance=Collection(name="Embargoed"))
        collection_level_set(collection=narrower, level="organisation", actor=Actor.cli())
        assert collection_level(narrower) == Level.ORGANISATION  # a level may narrow
        # ...but never widen what a collection above carries: refused, with a reason, nothing recorded.
        inner = Collection.objects.get(name="Organisation", depth=2).add_child(instance=Collection(name="Open?"))
        with pytest.raises(ValidationError) as error:
            collection_level_set(collection=inner, level="public", actor=Actor.cli())
        assert "cannot be more visible" in str(error.value)
        assert collection_level(inner) == Level.ORGANISATION
        assert not CollectionLevel.objects.filter(collection=inner).exists()
        with pytest.raises(ValidationError):
            collection_level_set(collection=press, level="everyone", actor=Actor.cli())
        # A collection named like a level carries nothing by its name.
        named = public.add_child(instance=Collection(name="Organisation"))
        assert collection_level(named) == Level.PUBLIC
        unfiled = get_document_model().objects.create(title="Unfiled", file=ContentFile(b"x", name="unfiled.txt"))
        assert unfiled.collection_id == root.pk
        assert not can_view_document(viewer=VIEWERS["civil_servant"], document=unfiled)
        assert can_view_document(viewer=VIEWERS["member"], document=unfiled)


@pytest.mark.parametrize("default", ["organisation", "public"])
def test_the_visibility_screens_collection_levels_agree_with_the_rule_that_serves_files(pages, default):
    """``collections_with_levels`` (two queries for the whole tree) must say what ``collection_level`` does."""
    world = pages.world
    world.org_a.default_visibility = default  # this test's copy only: the organisation's default
    with tenant_context(world.org_a):
        public = Collection.objects.get(name="Public", depth=2)
        press = public.add_child(instance=Collection(name="Press kit"))
        embargoed = press.add_child(instance=Collection(name="Embargoed"))
        collection_level_set(collection=embargoed, level="civil_servants", actor=Actor.cli())
        embargoed.add_child(instance=Collection(name="Drafts"))
        Collection.get_first_root_node().add_child(instance=Collection(name="Unfiled"))
        rows = collections_with_levels()
        assert len(rows) == Collection.objects.count()
        for row in rows:
            assert row.effective == collection_level(row.collection), row.collection.name
            parent = row.collection.get_parent()
            assert row.widest_allowed == (collection_level(parent) if parent else Level.PUBLIC)
        by_name = {row.collection.name: row for row in rows}
        assert by_name["Drafts"].effective == Level.CIVIL_SERVANTS and by_name["Drafts"].own is None
        assert by_name["Unfiled"].effective == Level.of(default)  # spot checks: no vacuous agreement


def test_renaming_a_level_collection_keeps_its_level(pages):
    """Even in an organisation whose default is public, renaming "Organisation" opens nothing."""
    world = pages.world
    Organisation.objects.filter(pk=world.org_a.pk).update(default_visibility="public")  # undone with the test
    world.org_a.default_visibility = "public"  # and this test's copy
    assert client_as(world, "citizen").get("/news/").status_code == 200  # the default really is public now
    with tenant_context(world.org_a):
        collection = Collection.objects.get(name="Organisation", depth=2)
        collection.name = "Intern"
        collection.save()
        document = get_document_model().objects.get(title="Secret organisation document")
        assert collection_level(document.collection) == Level.ORGANISATION
    url = pages.document_urls["organisation"]
    assert client_as(world, "citizen").get(url).status_code == 403
    assert client_as(world, "a_member").get(url).status_code == 200


def test_a_document_url_copied_from_a_members_session_is_refused_to_others(pages):
    url = pages.document_urls["organisation"]
    assert client_as(pages.world, "a_member").get(url).status_code == 200
    anonymous = client_as(pages.world, "anonymous").get(url)
    assert anonymous.status_code == 302 and anonymous["Location"] == f"/accounts/login/?next={url}"
    assert client_as(pages.world, "citizen").get(url).status_code == 403
    assert client_as(pages.world, "civil_servant_of_b").get(url).status_code == 403
    # Org B's own host does not know org A's document at all.
    assert client_for(pages.world.org_b, person=pages.world.b_member).get(url).status_code == 404


def test_an_image_url_needs_its_signature(pages):
    url = pages.image_urls["public"]
    signature = url.split("/")[2]
    forged = url.replace(signature, "x" * len(signature))
    assert client_as(pages.world, "a_member").get(forged).status_code == 403
    other_size = url.replace("/width-2/", "/width-3/")
    assert client_as(pages.world, "a_member").get(other_size).status_code == 403
    # And from the other organisation: image ids repeat across schemas, signatures do not.
    with tenant_context(pages.world.org_b):
        public_b = Collection.objects.get(name="Public", depth=2)
        get_image_model().objects.create(
            title="B's image", file=ImageFile(io.BytesIO(_png()), name="b.png"), collection=public_b
        )
    assert client_for(pages.world.org_b, person=pages.world.b_member).get(url).status_code == 403


def test_stored_files_are_served_only_on_their_own_organisations_host(pages):
    world = pages.world
    url = pages.rendition_file_urls["public"]
    assert client_as(world, "anonymous").get(url).status_code == 200
    assert client_as(world, "anonymous").head(url).status_code == 200
    assert client_as(world, "a_member").post(url).status_code == 405  # files are only read here
    # And from the other organisation: org B's host does not serve org A's folder, not even public files.
    other = client_for(world.org_b, person=world.b_member)
    assert other.get(url).status_code == 404
    assert other.get(pages.original_file_urls["public"]).status_code == 404
    # Nor does the same file name under B's own folder reach A's file.
    assert other.get(url.replace(world.org_a.schema_name, world.org_b.schema_name, 1)).status_code == 404


def test_a_stored_file_that_no_item_owns_is_not_served(pages, settings):
    world = pages.world
    schema = world.org_a.schema_name
    with tenant_context(world.org_a):
        default_storage.save("images/stray.png", ContentFile(_png()))
        default_storage.save("exports/dump.txt", ContentFile(b"everything"))
    member = client_as(world, "a_member")
    for name in ("images/stray.png", "exports/dump.txt", "images/../exports/dump.txt", "nothing/here.txt"):
        response = member.get(f"/media/{schema}/{name}")
        assert response.status_code == 404, name
        assert b"everything" not in response.content


def test_a_documents_stored_file_goes_through_the_document_view(pages):
    world = pages.world
    with tenant_context(world.org_a):
        document = get_document_model().objects.get(title="Secret organisation document")
        stored = document.file.url
    assert stored.startswith(f"/media/{world.org_a.schema_name}/documents/")
    member = client_as(world, "a_member").get(stored)
    assert member.status_code == 302 and member["Location"] == pages.document_urls["organisation"]
    _assert_refused(client_as(world, "anonymous").get(stored), viewer="anonymous", path=stored, secret=b"secret")
    for viewer in ("citizen", "civil_servant_of_b"):
        refused = client_as(world, viewer).get(stored)
        _assert_refused(refused, viewer=viewer, path=stored, secret=b"secret")
        assert b"doc-organisation" not in refused.content  # not even the file's name


@pytest.fixture
def sendfile_through_nginx(settings):  # type: ignore[no-untyped-def]
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_ROOT = settings.MEDIA_ROOT
    _get_sendfile.clear()
    yield "/protected-media"
    _get_sendfile.clear()


def test_behind_nginx_a_permitted_file_is_handed_to_the_web_server_and_a_refused_one_is_not(
    pages, sendfile_through_nginx
):
    world = pages.world
    url = pages.rendition_file_urls["organisation"]
    permitted = client_as(world, "a_member").get(url)
    assert permitted.status_code == 200 and permitted.content == b""
    assert permitted["X-Accel-Redirect"] == url.replace("/media/", f"{sendfile_through_nginx}/", 1)
    refused = client_as(world, "citizen").get(url)
    assert refused.status_code == 403 and "X-Accel-Redirect" not in refused
    # Wagtail's document view takes the same backend.
    document = client_as(world, "a_member").get(pages.document_urls["organisation"])
    assert document["X-Accel-Redirect"].startswith(f"{sendfile_through_nginx}/{world.org_a.schema_name}/documents/")
    assert "X-Accel-Redirect" not in client_as(world, "citizen").get(pages.document_urls["organisation"])


def test_the_admins_thumbnails_are_served_to_editors_and_refused_to_others(pages):
    world = pages.world
    listing = client_for(world.org_a, person=world.a_editor).get("/admin/images/")
    assert listing.status_code == 200
    thumbnails = re.findall(rf'src="(/media/{world.org_a.schema_name}/images/[^"]+)"', listing.content.decode())
    assert len(thumbnails) >= 3, thumbnails
    for src in thumbnails:
        assert client_for(world.org_a, person=world.a_editor).get(src).status_code == 200
    organisation_only = [src for src in thumbnails if "img-organisation" in src]
    assert organisation_only
    for src in organisation_only:
        assert client_as(world, "citizen").get(src).status_code == 403
        assert client_as(world, "anonymous").get(src).status_code == 302


# --- Previews ---------------------------------------------------------------------------------------------


def _preview_urls(page_id: int) -> list[str]:
    return [f"/admin/pages/{page_id}/view_draft/", f"/admin/pages/{page_id}/edit/preview/"]


def test_a_preview_is_for_the_organisations_editors_only(pages):
    world = pages.world
    page_id = pages.page_ids["organisation"]
    editor = client_for(world.org_a, person=world.a_editor).get(f"/admin/pages/{page_id}/view_draft/")
    assert editor.status_code == 200 and b"Secret organisation title" in editor.content
    for viewer in ("a_member", "civil_servant_of_b", "citizen", "anonymous"):
        client = client_as(world, viewer)
        for url in _preview_urls(page_id):
            response = client.get(url)
            assert response.status_code in (302, 403), (viewer, url, response.status_code)
            assert b"Secret organisation title" not in response.content
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/")


def test_an_editor_of_one_organisation_cannot_preview_the_others_pages(pages):
    world = pages.world
    with tenant_context(world.org_b):
        home = Site.objects.get().root_page
        page = home.add_child(instance=ContentPage(title="B draft secret", slug="b-draft", visibility="organisation"))
    for person in (world.a_editor, world.a_editor_b_member):  # editor in A; the second is a plain member in B
        client = client_for(world.org_b, person=person)
        for url in _preview_urls(page.pk):
            response = client.get(url)
            assert response.status_code in (302, 403), (person.key, url)
            assert b"B draft secret" not in response.content


# --- Caches -----------------------------------------------------------------------------------------------


@pytest.fixture
def site_wide_cache(settings):  # type: ignore[no-untyped-def]
    """Django's whole-site cache in front of every subsite, in a key space of this test's own."""
    settings.MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *settings.MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    settings.CACHE_MIDDLEWARE_KEY_PREFIX = f"test-{uuid.uuid4().hex}"
    settings.CACHE_MIDDLEWARE_SECONDS = 60


def test_a_page_made_for_a_member_is_not_served_from_a_cache_to_anyone_else(pages, site_wide_cache):
    """The home page is public, but its menu lists what the member may see; a closed page is a member's only.

    Pages and answers made for a signed-in viewer are ``Cache-Control: private`` (never stored by a shared
    cache) and vary on the session cookie; the cache's keys carry the schema (``django_tenants.cache``).
    """
    world = pages.world
    member = client_as(world, "a_member")
    for _ in range(2):  # the second time could come from a cache
        home = member.get("/")
        assert b"Secret organisation title" in home.content
        assert "private" in home["Cache-Control"] and "Cookie" in home["Vary"]
        assert b"Secret organisation title" in member.get("/level-organisation/").content
        assert "private" in member.get("/search/", {"q": SEARCH_WORD})["Cache-Control"]
    for viewer in ("anonymous", "citizen", "civil_servant_of_b"):
        client = client_as(world, viewer)
        for _ in range(2):
            assert b"Secret organisation title" not in client.get("/").content
            assert b"Secret organisation title" not in client.get("/search/", {"q": SEARCH_WORD}).content
            assert b"Secret organisation title" not in client.get("/feed/").content
            closed = client.get("/level-organisation/")
            assert closed.status_code == (302 if viewer == "anonymous" else 403)
    # A member of org B on org B's own host, same paths: B's cache entries, B's pages.
    other = client_for(world.org_b, person=world.b_member)
    assert b"Secret organisation title" not in other.get("/").content
    assert other.get("/level-organisation/").status_code == 404
    assert connection.schema_name == "public"


def test_images_in_rich_text_point_at_the_checked_rendition_view_never_at_media(pages):
    with tenant_context(pages.world.org_a):
        image = get_image_model().objects.get(title="Secret organisation image")
        _forget_cached_rendition(image, "width-800")  # the "fullwidth" format's rendition
        page = ContentPage.objects.get(pk=pages.page_ids["public"])
        page.body = f'<p>Look:</p><embed embedtype="image" id="{image.pk}" format="fullwidth" alt="A chart"/>'
        page.save_revision().publish()
    html = client_as(pages.world, "anonymous").get("/level-public/").content.decode()
    src = re.search(r'<img src="([^"]+)" alt="A chart"', html).group(1)
    assert src.startswith("/images/") and "/media/" not in html
    # The public page may show it, but the organisation-only image itself is not served to everyone.
    assert client_as(pages.world, "a_member").get(src).status_code == 200
    assert client_as(pages.world, "citizen").get(src).status_code == 403
    assert client_as(pages.world, "anonymous").get(src).status_code == 302
