"""Page visibility: organisation, civil servants, everyone — on page serving and in menus.

(The full matrix over every channel — search, feeds, sitemaps, API, documents, images, caches —
belongs to the visibility issue; this is page serving and the home page's menu.)
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context
from wagtail.models import Collection, Page, PageViewRestriction, Site
from wagtail.test.utils.form_data import nested_form_data, rich_text

from shared_apps.search.services import organisation_reindex
from tenant_apps.pages.models import CollectionLevel, ContentPage
from tenant_apps.pages.views import SEARCH_RESULTS
from tenant_apps.pages.visibility import Level, collection_level
from tenants.audit import Actor
from tenants.models import AuditEvent, Organisation
from tenants.services import organisation_set_default_visibility
from tests.harness.clients import client_for
from tests.visibility_support import LEVELS, MAY_SEE, client_as, recognise_org_b_staff_as_civil_servants

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(world):  # type: ignore[no-untyped-def]
    """One page per level under org A's home page, and org B's staff recognised as civil servants."""
    recognise_org_b_staff_as_civil_servants(world)
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        for level in LEVELS:
            home.add_child(
                instance=ContentPage(
                    title=f"Secret {level} title", slug=f"level-{level}", visibility=level, show_in_menus=True
                )
            )
    return world


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("viewer", list(MAY_SEE))
def test_page_serving_matrix(pages, viewer, level):
    response = client_as(pages, viewer).get(f"/level-{level}/")
    if level in MAY_SEE[viewer]:
        assert response.status_code == 200
        assert f"Secret {level} title".encode() in response.content
    elif viewer == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next=/level-{level}/"
    else:
        assert response.status_code == 403
        assert b"Secret" not in response.content and f"level-{level}".encode() not in response.content


@pytest.mark.parametrize("viewer", list(MAY_SEE))
def test_home_page_menu_lists_only_what_the_viewer_may_see(pages, viewer):
    home = client_as(pages, viewer).get("/")
    assert home.status_code == 200 or viewer not in ("a_member", "a_editor")
    if home.status_code != 200:  # org A's home page itself is organisation-only by the intranet default
        return
    for level in LEVELS:
        assert (f"Secret {level} title".encode() in home.content) == (level in MAY_SEE[viewer])


def test_the_intranet_default_makes_unmarked_pages_organisation_only(pages):
    assert client_as(pages, "a_member").get("/news/").status_code == 200
    assert client_as(pages, "civil_servant_of_b").get("/news/").status_code == 403
    assert client_as(pages, "anonymous").get("/news/").status_code == 302


def test_and_from_the_other_organisation_a_member_of_a_is_an_outsider_on_b(pages, world):
    with tenant_context(world.org_b):
        home = Site.objects.get().root_page
        home.add_child(instance=ContentPage(title="B only", slug="b-only", visibility="organisation"))
    assert client_for(world.org_b, person=world.a_member).get("/b-only/").status_code == 403
    assert client_for(world.org_b, person=world.b_member).get("/b-only/").status_code == 200


def test_a_child_cannot_be_more_visible_than_its_parent(pages, world):
    with tenant_context(world.org_a):
        parent = ContentPage.objects.get(slug="level-civil_servants")
        child = parent.add_child(instance=ContentPage(title="Child", slug="child", visibility="civil_servants"))
        child.visibility = "public"
        with pytest.raises(ValidationError) as error:
            child.full_clean()
        assert "cannot be more visible than the page above it" in error.value.message_dict["visibility"][0]
        child.visibility = "organisation"
        child.full_clean()


def test_the_editor_says_so_on_the_field_when_a_new_page_is_too_visible(pages, world):
    with tenant_context(world.org_a):
        parent = ContentPage.objects.get(slug="level-organisation")
    client = client_for(world.org_a, person=world.a_admin)
    data = nested_form_data(
        {
            "title": "Too open",
            "slug": "too-open",
            "visibility": "public",
            "summary": "",
            "body": rich_text("<p>Open to all?</p>"),
            "action-publish": "1",
        }
    )
    response = client.post(f"/admin/pages/add/org_pages/contentpage/{parent.pk}/", data)
    assert response.status_code == 200
    assert b"cannot be more visible than the page above it" in response.content
    with tenant_context(world.org_a):
        assert not ContentPage.objects.filter(slug="too-open").exists()


def test_an_organisation_changes_its_default_and_unmarked_pages_follow_at_once(pages, world):
    assert client_as(pages, "civil_servant_of_b").get("/news/").status_code == 403
    organisation_set_default_visibility(organisation=world.org_a, level="civil_servants", actor=Actor.cli())
    assert client_as(pages, "civil_servant_of_b").get("/news/").status_code == 200
    assert client_as(pages, "citizen").get("/news/").status_code == 403
    assert client_as(pages, "anonymous").get("/level-organisation/").status_code == 302  # explicit levels stay
    with pytest.raises(ValidationError):
        organisation_set_default_visibility(organisation=world.org_a, level="everyone", actor=Actor.cli())
    world.org_b.refresh_from_db()
    assert world.org_b.default_visibility == "organisation"  # and the other organisation keeps its own


def test_every_organisation_schema_has_the_level_collections_and_the_migration_is_idempotent(world):
    migration = importlib.import_module("tenant_apps.pages.migrations.0003_visibility_collections")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    for organisation in (world.org_a, world.org_b):
        with tenant_context(organisation):
            Collection.objects.filter(name="Public").delete()  # as if made before the collections existed
            migration.add_level_collections(apps, editor)
            migration.add_level_collections(apps, editor)
            root = Collection.get_first_root_node()
            names = list(root.get_children().values_list("name", flat=True))
            assert sorted(names) == ["Civil servants", "Organisation", "Public"]
            assert Collection.objects.get(pk=root.pk).numchild == 3
            Collection.objects.get(name="Public").add_child(instance=Collection(name="Press kit"))  # tree intact


# --- Addresses the site's own routes answer ----------------------------------------------------------------


@pytest.mark.parametrize("slug", ["search", "feed", "people", "join", "admin"])
def test_the_editor_says_so_on_the_slug_when_the_address_is_the_sites_own(pages, world, slug):
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
    client = client_for(world.org_a, person=world.a_editor)
    data = nested_form_data(
        {"title": "Clash", "slug": slug, "visibility": "", "summary": "", "body": rich_text(""), "action-publish": "1"}
    )
    response = client.post(f"/admin/pages/add/org_pages/contentpage/{home.pk}/", data)
    assert response.status_code == 200
    assert f"The address /{slug}/ is taken by a part of the site itself".encode() in response.content
    with tenant_context(world.org_a):
        assert not ContentPage.objects.filter(slug=slug).exists()
    # And from the other organisation: the same rule, the same refusal.
    with tenant_context(world.org_b):
        b_home = Site.objects.get().root_page
        with pytest.raises(ValidationError) as error:
            b_home.add_child(instance=ContentPage(title="Clash", slug=slug))
        assert "taken by a part of the site itself" in error.value.message_dict["slug"][0]
        assert not ContentPage.objects.filter(slug=slug).exists()


def test_addresses_the_routes_leave_to_the_page_tree_stay_free(pages, world):
    """Only the exact addresses a route answers are taken: pages below ``/people/``, or ``/documents/`` (whose
    route wants ``/documents/<id>/<name>``), are shown as usual."""
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        documents = Page.objects.get(slug="documents").specific  # the intranet's document library section
        documents.title = "Document library"
        documents.save()  # saving runs the check, and passes
        below = documents.add_child(instance=ContentPage(title="Handbooks", slug="handbooks"))
        assert below.url_path.endswith("/documents/handbooks/")
        accounts = home.add_child(instance=ContentPage(title="Accounts", slug="accounts", visibility="public"))
        with pytest.raises(ValidationError) as error:  # but /accounts/login/ is the sign-in route
            accounts.add_child(instance=ContentPage(title="Log in", slug="login"))
        assert "/accounts/login/" in error.value.message_dict["slug"][0]
        parent = ContentPage.objects.get(slug="level-public")
        with pytest.raises(ValidationError):  # renaming onto a taken address is refused too
            parent.slug = "search"
            parent.save()
    assert client_for(world.org_a, person=world.a_member).get("/documents/handbooks/").status_code == 200


# --- Search results come in pages --------------------------------------------------------------------------


def test_search_results_come_in_pages_and_only_ever_hold_what_the_viewer_may_see(pages, world):
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        for number in range(SEARCH_RESULTS + 5):
            home.add_child(instance=ContentPage(title=f"Bulletin {number}", slug=f"b-{number}", visibility="public"))
        for number in range(3):
            home.add_child(instance=ContentPage(title=f"Bulletin closed {number}", slug=f"c-{number}"))
    organisation_reindex(organisation=world.org_a)  # the platform search's index (its tasks do this on publish)
    member = client_for(world.org_a, person=world.a_member)
    first = member.get("/search/", {"q": "bulletin"})
    assert first.status_code == 200
    assert f"{SEARCH_RESULTS + 8} results".encode() in first.content
    assert first.content.count(b'class="search-result"') == SEARCH_RESULTS
    assert b'rel="next" href="?q=bulletin&amp;page=2"' in first.content and b'rel="prev"' not in first.content
    second = member.get("/search/", {"q": "bulletin", "page": 2})
    assert second.content.count(b'class="search-result"') == 8 and b'rel="prev"' in second.content
    # A page number past the end, or not a number, gives the last or the first page, never an error.
    assert member.get("/search/", {"q": "bulletin", "page": 99}).content.count(b'class="search-result"') == 8
    assert (
        member.get("/search/", {"q": "bulletin", "page": "x"}).content.count(b'class="search-result"') == SEARCH_RESULTS
    )
    # A citizen's count leaves out what they may not see: the intranet's unmarked pages.
    citizen = client_for(world.org_a, person=world.citizen).get("/search/", {"q": "bulletin"})
    assert f"{SEARCH_RESULTS + 5} results".encode() in citizen.content
    assert b"Bulletin closed" not in citizen.content
    # And from the other organisation: B's search finds A's open pages among "other organisations", never
    # the closed ones, and none as B's own.
    other = client_for(world.org_b, person=world.b_member)
    found = other.get("/search/", {"q": "bulletin"})
    assert f"{SEARCH_RESULTS + 5} results".encode() in found.content and b"Bulletin closed" not in found.content
    assert b"Nothing found" in other.get("/search/", {"q": "bulletin", "source": "this"}).content


# --- Beside Wagtail's own privacy options (login, password, groups) ----------------------------------------


def _restrict(world, *, slug: str, restriction_type: str, password: str = "", groups: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    with tenant_context(world.org_a):
        page = ContentPage.objects.get(slug=slug)
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=restriction_type, password=password
        )
        restriction.groups.set(Group.objects.filter(name__in=groups))
        return restriction


def test_a_public_page_behind_wagtails_sign_in_restriction_needs_sign_in_and_nothing_more(pages, world):
    _restrict(world, slug="level-public", restriction_type="login")
    anonymous = client_as(world, "anonymous").get("/level-public/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/?next=")
    for viewer in ("citizen", "civil_servant_of_b", "a_member"):
        assert client_as(world, viewer).get("/level-public/").status_code == 200, viewer
    # Wagtail's restriction keeps it out of the anonymous channels as well.
    for path in ("/sitemap.xml", "/feed/"):
        assert b"level-public" not in client_as(world, "anonymous").get(path).content


def test_an_organisation_page_with_a_password_offers_the_password_form_to_members_only(pages, world):
    restriction = _restrict(world, slug="level-organisation", restriction_type="password", password="tulip")
    # Outside the audience: refused by the level, the password form is never shown.
    anonymous = client_as(world, "anonymous").get("/level-organisation/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    for viewer in ("citizen", "civil_servant_of_b"):
        response = client_as(world, viewer).get("/level-organisation/")
        assert response.status_code == 403 and b"password" not in response.content.lower(), viewer
        assert b"Secret organisation title" not in response.content
    # A member must still give the password (the level does not override Wagtail's restriction).
    member = client_as(world, "a_member")
    form = member.get("/level-organisation/")
    assert form.status_code == 200 and b"Password required" in form.content
    assert b"Secret organisation title" not in form.content
    with tenant_context(world.org_a):
        page_id = ContentPage.objects.get(slug="level-organisation").pk
    action = f"/_util/authenticate_with_password/{restriction.pk}/{page_id}/"
    assert member.post(action, {"password": "tulip", "return_url": "/level-organisation/"}).status_code == 302
    assert b"Secret organisation title" in member.get("/level-organisation/").content
    # And a citizen who somehow knows the password still does not get in.
    citizen = client_as(world, "citizen")
    citizen.post(action, {"password": "tulip", "return_url": "/level-organisation/"})
    assert citizen.get("/level-organisation/").status_code == 403


def test_a_page_for_wagtail_groups_refuses_signed_in_people_outside_them_with_a_403(pages, world):
    _restrict(world, slug="level-public", restriction_type="groups", groups=("Editors",))
    assert client_as(world, "a_editor").get("/level-public/").status_code == 200
    for viewer in ("a_member", "citizen", "civil_servant_of_b"):
        response = client_as(world, viewer).get("/level-public/")
        assert response.status_code == 403, viewer  # not sent to sign in again: they are signed in
        assert b"Secret public title" not in response.content
    anonymous = client_as(world, "anonymous").get("/level-public/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    # And from the other organisation: an editor of A is nobody's editor on B.
    with tenant_context(world.org_b):
        b_home = Site.objects.get().root_page
        b_home.add_child(instance=ContentPage(title="B editors only", slug="b-editors", visibility="public"))

    with tenant_context(world.org_b):
        restriction = PageViewRestriction.objects.create(
            page=ContentPage.objects.get(slug="b-editors"), restriction_type="groups"
        )
        restriction.groups.set(Group.objects.filter(name="Editors"))
    assert client_for(world.org_b, person=world.a_editor_b_member).get("/b-editors/").status_code == 403


# --- The organisation's administrators choose its default ----------------------------------------------------


def test_an_administrator_sets_the_organisations_default_in_the_admin(pages, world):
    admin = client_for(world.org_a, person=world.a_admin)
    screen = admin.get("/admin/visibility/")
    assert screen.status_code == 200

    assert re.search(rb'value="organisation"[^>]*checked', screen.content)  # the current default
    assert b"/admin/visibility/" in admin.get("/admin/").content  # in the Settings menu
    assert client_as(world, "civil_servant_of_b").get("/news/").status_code == 403  # /news/ takes the default
    response = admin.post("/admin/visibility/", {"default_visibility": "civil_servants"})
    assert response.status_code == 302 and response["Location"] == "/admin/visibility/"
    assert Organisation.objects.get(pk=world.org_a.pk).default_visibility == "civil_servants"
    assert client_as(world, "civil_servant_of_b").get("/news/").status_code == 200  # at once
    assert client_as(world, "citizen").get("/news/").status_code == 403
    event = AuditEvent.objects.filter(action="organisation.default_visibility.set").latest("at")
    assert event.outcome == "success" and event.organisation_slug == world.org_a.slug
    assert world.a_admin.email in event.actor
    # Bad input: a clear error, nothing changed.
    refused = admin.post("/admin/visibility/", {"default_visibility": "everyone-and-their-dog"})
    assert refused.status_code == 400 and b"Select a valid choice" in refused.content
    assert Organisation.objects.get(pk=world.org_a.pk).default_visibility == "civil_servants"
    # And from the other organisation: B keeps its own default.
    assert Organisation.objects.get(pk=world.org_b.pk).default_visibility == "organisation"


def test_only_the_organisations_administrators_reach_the_visibility_screen(pages, world):
    editor = client_for(world.org_a, person=world.a_editor)
    for response in (
        editor.get("/admin/visibility/"),
        editor.post("/admin/visibility/", {"default_visibility": "public"}),
    ):  # Wagtail's admin turns a refusal into a return to its dashboard, with a message
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert b"/admin/visibility/" not in editor.get("/admin/").content
    for viewer in ("a_member", "citizen", "anonymous"):
        response = client_as(world, viewer).post("/admin/visibility/", {"default_visibility": "public"})
        assert response.status_code in (302, 403), viewer
    # An administrator of A is no administrator on B (a_editor_b_member is a plain member there).
    b_client = client_for(world.org_b, person=world.a_editor_b_member)
    assert b_client.post("/admin/visibility/", {"default_visibility": "public"}).status_code in (302, 403)
    assert Organisation.objects.get(pk=world.org_a.pk).default_visibility == "organisation"
    assert Organisation.objects.get(pk=world.org_b.pk).default_visibility == "organisation"


def test_an_administrator_sees_and_narrows_the_level_of_each_collection(pages, world):
    with tenant_context(world.org_a):
        public = Collection.objects.get(name="Public", depth=2)
        press = public.add_child(instance=Collection(name="Press kit"))
        inner = Collection.objects.get(name="Organisation", depth=2).add_child(instance=Collection(name="Board"))
    admin = client_for(world.org_a, person=world.a_admin)
    screen = admin.get("/admin/visibility/").content.decode()
    rows = {}  # collection name -> [its own level, who sees its files]
    for row in re.findall(r"<tr>(.*?)</tr>", screen, re.DOTALL):
        cells = [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.DOTALL)]
        if cells:
            rows[cells[0].strip("↳ ")] = cells[1:3]
    assert rows["Public"] == ["Everyone", "Everyone"]
    assert rows["Press kit"] == ["—", "Everyone"]  # follows the collection above it
    assert rows["Board"] == ["—", "Colleagues within the organisation"]
    assert rows["Root"] == ["—", "Colleagues within the organisation"]  # the intranet's default
    response = admin.post(f"/admin/visibility/collections/{press.pk}/", {"level": "civil_servants"})
    assert response.status_code == 302
    assert "now visible to: all civil servants" in admin.get("/admin/visibility/").content.decode()
    with tenant_context(world.org_a):
        assert collection_level(Collection.objects.get(pk=press.pk)) == Level.CIVIL_SERVANTS
    assert AuditEvent.objects.filter(action="collection.level.set", outcome="success", actor__contains="admin").exists()
    # Wider than the collection above: refused with the reason, nothing recorded, the refusal audited.
    admin.post(f"/admin/visibility/collections/{inner.pk}/", {"level": "public"})
    assert "cannot be more visible than the collection it is in" in admin.get("/admin/visibility/").content.decode()
    with tenant_context(world.org_a):
        assert not CollectionLevel.objects.filter(collection_id=inner.pk).exists()
    assert AuditEvent.objects.filter(action="collection.level.set", outcome="failure").exists()
    # Not administrators, or not of this organisation: refused, nothing changed.
    editor = client_for(world.org_a, person=world.a_editor)
    assert (
        editor.post(f"/admin/visibility/collections/{public.pk}/", {"level": "organisation"})["Location"] == "/admin/"
    )
    b_client = client_for(world.org_b, person=world.a_editor_b_member)
    assert b_client.post(f"/admin/visibility/collections/{public.pk}/", {"level": "organisation"}).status_code in (
        302,
        403,
    )
    for organisation in (world.org_a, world.org_b):
        with tenant_context(organisation):
            assert collection_level(Collection.objects.get(name="Public", depth=2)) == Level.PUBLIC


def test_a_sections_listing_comes_in_pages_of_what_the_viewer_may_see(pages, world):
    size = ContentPage.LISTING_PAGE_SIZE
    with tenant_context(world.org_a):
        section = ContentPage.objects.get(slug="level-public")
        for number in range(size + 5):
            section.add_child(instance=ContentPage(title=f"Item {number}", slug=f"item-{number}", visibility="public"))
        for number in range(2):
            section.add_child(instance=ContentPage(title=f"Inside {number}", slug=f"inside-{number}"))

    def listed(client, page=None):  # type: ignore[no-untyped-def]
        response = client.get("/level-public/", {"page": page} if page else {})
        listing = re.search(rb'<ul class="child-pages">(.*?)</ul>', response.content, re.DOTALL).group(1)
        return re.findall(rb">(Item \d+|Inside \d+)</a>", listing), response.content

    citizen = client_as(world, "citizen")
    first, html = listed(citizen)
    assert len(first) == size and b'rel="next" href="?page=2"' in html
    second, _html = listed(citizen, 2)
    assert len(second) == 5 and not any(title.startswith(b"Inside") for title in first + second)
    member = client_as(world, "a_member")
    everything = listed(member)[0] + listed(member, 2)[0]
    assert len(everything) == size + 7 and b"Inside 1" in everything
    assert listed(citizen, "x")[0] == first  # not a number: the first page, never an error
    # And from the other organisation: B's host has no such section.
    assert client_for(world.org_b, person=world.b_member).get("/level-public/").status_code == 404
