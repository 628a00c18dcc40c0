"""The app catalogue really switches apps: an organisation's administrators switch an app off in Settings > Apps
and its page types cannot be made, its pages answer 404, its menu item, home block and search entries are gone,
from every channel; its data is kept and switching it on brings everything back. Another organisation is not
touched, and nobody but the organisation's administrators may switch.

The app switched here is declared by the test itself (a throw-away catalogue entry owning the search page type),
so the mechanism is tested without leaning on any one app; tests/test_subsite_apps.py does it for the real apps.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from wagtail.models import Page, Site

from govsquare.celery import app as celery_app
from shared_apps.search.access import search_viewer_for_account
from shared_apps.search.selectors import search
from shared_apps.search.services import organisation_reindex
from sites import catalogue
from sites.catalogue import CatalogueApp, CatalogueError, HomeBlock, MenuLink, ScheduledTask, Section
from tenant_apps.pages.catalogue import app_is_on, page_type_is_on, sections_ensure
from tenant_apps.pages.models import ContentPage, HomePage, SearchPage
from tenants.audit import Actor
from tenants.models import AuditEvent, Organisation
from tenants.schemas import in_schema
from tenants.services import organisation_set_apps
from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db

KEY = "finder"


def _seed_finder(*, home: Page, language: str) -> Page:
    title = {"nl": "Zoeker", "en": "Finder"}[language]
    return home.add_child(instance=SearchPage(title=title, slug="finder", live=True, show_in_menus=True))


def _finder_block(*, request, page, value) -> dict:  # type: ignore[no-untyped-def]
    return {"message": "The finder block is here"}


FINDER = CatalogueApp(
    key=KEY,
    label="Finder",
    description="A search page (test app).",
    page_types=("org_pages.searchpage",),
    section=Section(
        slug="finder",
        index_page_type="org_pages.searchpage",
        titles={"nl": "Zoeker", "en": "Finder"},
        seed=_seed_finder,
    ),
    menu_links=(MenuLink(label="Finder link", url=lambda: "/finder-link/"),),
    home_blocks=(
        HomeBlock(key="finder.block", label="Finder block", template="tests/finder_block.html", context=_finder_block),
    ),
    scheduled_tasks=(ScheduledTask(name="finder-nightly", task="finder.nightly", schedule=86400.0),),
    order=999,
)


@pytest.fixture
def finder(world, settings, tmp_path) -> Iterator[Organisation]:  # type: ignore[no-untyped-def]
    """The throw-away app registered and switched on for org A, its section seeded and a block on A's home."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "finder_block.html").write_text("<h2>{{ heading }}</h2><p>{{ message }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    catalogue.register(FINDER)
    before_a, before_b = list(world.org_a.enabled_apps), list(world.org_b.enabled_apps)
    organisation_set_apps(organisation=world.org_a, apps=[*_known(before_a), KEY], actor=Actor.system("test"))
    with in_schema(world.org_a):
        home = HomePage.objects.get()
        home.dashboard.append(("app_block", {"block": "finder.block", "heading": "", "count": 5}))
        home.save()
    yield world.org_a
    Organisation.objects.filter(pk=world.org_a.pk).update(enabled_apps=before_a)
    Organisation.objects.filter(pk=world.org_b.pk).update(enabled_apps=before_b)
    catalogue.unregister(KEY)


def _known(keys: list[str]) -> list[str]:
    return [key for key in keys if key in {app.key for app in catalogue.catalogue_apps()}]


def _switch(organisation: Organisation, *, on: bool) -> None:
    organisation.refresh_from_db()
    keys = [key for key in _known(organisation.enabled_apps) if key != KEY] + ([KEY] if on else [])
    organisation_set_apps(organisation=organisation, apps=keys, actor=Actor.system("test"))


def _search_titles(world, person) -> set[str]:  # type: ignore[no-untyped-def]
    organisation_reindex(organisation=Organisation.objects.get(pk=world.org_a.pk))
    viewer = search_viewer_for_account(account=person.account)
    return {entry.title for entry in search(viewer=viewer, query="finder").entries}


def test_switching_an_app_off_takes_it_off_every_channel_and_on_brings_it_back(finder, world):
    member = client_for(world.org_a, person=world.a_member)
    home = member.get("/").content.decode()
    assert 'href="/finder/"' in home and "The finder block is here" in home and "Finder link" in home
    assert member.get("/finder/").status_code == 200
    assert "Finder" in _search_titles(world, world.a_member)
    api = member.get("/api/v2/pages/?type=org_pages.SearchPage").json()
    assert api["meta"]["total_count"] == 1

    _switch(finder, on=False)
    home = member.get("/").content.decode()
    assert 'href="/finder/"' not in home and "The finder block is here" not in home and "Finder link" not in home
    assert member.get("/finder/").status_code == 404
    assert client_for(world.org_a, person=world.a_admin).get("/finder/").status_code == 404  # nobody, admins too
    assert client_for(world.org_a).get("/finder/").status_code == 404
    assert "Finder" not in _search_titles(world, world.a_member)
    assert member.get("/api/v2/pages/?type=org_pages.SearchPage").json()["meta"]["total_count"] == 0
    assert "/finder/" not in member.get("/sitemap.xml").content.decode()
    with in_schema(world.org_a):
        assert not page_type_is_on(model=SearchPage)
        assert not SearchPage.can_create_at(HomePage.objects.get())
        assert ContentPage.can_create_at(HomePage.objects.get())  # a page type of no app stays on
        assert SearchPage.objects.filter(slug="finder").exists()  # the data is kept

    _switch(finder, on=True)
    home = member.get("/").content.decode()
    assert 'href="/finder/"' in home and "The finder block is here" in home
    assert member.get("/finder/").status_code == 200
    assert "Finder" in _search_titles(world, world.a_member)
    with in_schema(world.org_a):
        assert SearchPage.objects.filter(slug="finder").count() == 1  # found again, not made twice
        assert SearchPage.can_create_at(HomePage.objects.get()) is False  # max one search page per parent


def test_the_other_organisation_is_not_touched(finder, world):
    with in_schema(world.org_b):
        assert not SearchPage.objects.exists()  # org B never had the app: no section was made there
        assert not app_is_on(key=KEY)
    b_home = client_for(world.org_b, person=world.b_member).get("/").content.decode()
    assert "Finder link" not in b_home and "The finder block is here" not in b_home
    assert client_for(world.org_b, person=world.b_member).get("/finder/").status_code == 404
    # A member of org B on org A's subsite sees what org A's pages allow them, nothing more.
    assert client_for(world.org_a, person=world.b_member).get("/finder/").status_code == 403


def test_a_citizen_and_an_anonymous_visitor_see_the_app_only_as_its_pages_allow(finder, world):
    for client in (client_for(world.org_a, person=world.citizen), client_for(world.org_a)):
        home = client.get("/").content.decode()
        assert 'href="/finder/"' not in home  # the section takes the organisation's default: colleagues only
    _switch(finder, on=False)
    assert client_for(world.org_a, person=world.citizen).get("/finder/").status_code == 404


def test_administrators_switch_apps_in_settings_and_it_is_audited(finder, world):
    admin = client_for(world.org_a, person=world.a_admin)
    screen = admin.get("/admin/apps/")
    assert screen.status_code == 200
    text = screen.content.decode()
    assert 'value="finder"' in text and "search page" in text and "Finder block" in text and "finder-nightly" in text
    keep = [key for key in _known(Organisation.objects.get(pk=world.org_a.pk).enabled_apps) if key != KEY]
    response = admin.post("/admin/apps/", {"apps": keep})
    assert response.status_code == 302
    assert KEY not in Organisation.objects.get(pk=world.org_a.pk).enabled_apps
    event = AuditEvent.objects.filter(action="organisation.apps.set", organisation_slug=world.org_a.slug).latest("pk")
    assert (
        event.detail["switched_off"] == [KEY] and event.actor.endswith(world.a_admin.email)
    ) or world.a_admin.email in event.actor
    assert admin.get("/finder/").status_code == 404
    assert admin.post("/admin/apps/", {"apps": [*keep, KEY]}).status_code == 302
    assert admin.get("/finder/").status_code == 200


def test_only_the_organisations_administrators_may_switch(finder, world):
    for person in (world.a_member, world.a_editor):
        response = client_for(world.org_a, person=person).post("/admin/apps/", {"apps": []})
        assert response.status_code in (302, 403)
    assert KEY in Organisation.objects.get(pk=world.org_a.pk).enabled_apps
    # Org A's administrator is nobody on org B's admin.
    assert client_for(world.org_b, person=world.a_admin).post("/admin/apps/", {"apps": []}).status_code in (302, 403)
    assert Organisation.objects.get(pk=world.org_b.pk).enabled_apps


def test_an_unknown_app_is_refused_with_a_clear_message_and_nothing_changes(finder, world):
    before = list(Organisation.objects.get(pk=world.org_a.pk).enabled_apps)
    with pytest.raises(ValidationError, match="Unknown app"):
        organisation_set_apps(organisation=world.org_a, apps=[*_known(before), "casino"], actor=Actor.system("test"))
    assert Organisation.objects.get(pk=world.org_a.pk).enabled_apps == before
    response = client_for(world.org_a, person=world.a_admin).post("/admin/apps/", {"apps": [*_known(before), "casino"]})
    assert response.status_code == 400 and "casino" in response.content.decode()
    assert Organisation.objects.get(pk=world.org_a.pk).enabled_apps == before


def test_a_declaration_that_clashes_is_refused():
    with pytest.raises(CatalogueError, match="already"):
        catalogue.register(CatalogueApp(key="groups", label="Other", description=""))
    catalogue.register(FINDER)
    try:
        with pytest.raises(CatalogueError, match="declared by"):
            catalogue.register(
                CatalogueApp(key="other", label="", description="", page_types=("org_pages.searchpage",))
            )
        catalogue.register(FINDER)  # the same declaration again is harmless
    finally:
        catalogue.unregister(KEY)
    with pytest.raises(CatalogueError, match="index page type"):
        catalogue.register(
            CatalogueApp(
                key="broken",
                label="",
                description="",
                section=Section(
                    slug="x", index_page_type="org_pages.searchpage", titles={"en": "X"}, seed=_seed_finder
                ),
            )
        )


def test_a_section_is_seeded_in_the_organisations_language_and_only_once(world):
    catalogue.register(FINDER)
    try:
        with in_schema(world.org_a):
            home = Site.objects.get(is_default_site=True).root_page
            made = sections_ensure(home=home, apps=[KEY], language="nl")
            assert [page.title for page in made] == ["Zoeker"]
            assert sections_ensure(home=home, apps=[KEY], language="nl") == []
            SearchPage.objects.filter(slug="finder").delete()
    finally:
        catalogue.unregister(KEY)
    assert connection.schema_name == "public"


def test_the_apps_scheduled_tasks_are_added_to_beat():
    catalogue.register(FINDER)
    try:
        schedule = dict(celery_app.conf.beat_schedule)
        celery_app.on_after_finalize.send(sender=celery_app)
        assert celery_app.conf.beat_schedule["finder-nightly"]["task"] == "finder.nightly"
    finally:
        celery_app.conf.beat_schedule = schedule
        catalogue.unregister(KEY)
