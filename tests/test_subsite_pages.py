"""The subsite's own page types: the intranet home as a dashboard ("new since your last visit", quick links, the
apps' blocks), the standard page and the search page; seeding in the organisation's language; bounded queries."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, Site

from shared_apps.people.services import local_user_for_account
from shared_apps.search.services import organisation_reindex
from tenant_apps.pages.models import ContentPage, HomePage, HomeVisit, QuickLinkBlock, SearchPage
from tenant_apps.pages.services import SAME_VISIT_SECONDS
from tenants.provisioning import organisation_create
from tenants.schemas import in_schema
from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db


def _home(organisation) -> HomePage:  # type: ignore[no-untyped-def]
    with in_schema(organisation):
        return Site.objects.get(is_default_site=True).root_page.specific


def _publish_under_home(organisation, *, title: str, when: datetime.datetime, **fields) -> ContentPage:  # type: ignore[no-untyped-def]
    with in_schema(organisation):
        home = Site.objects.get(is_default_site=True).root_page
        page = home.add_child(
            instance=ContentPage(title=title, slug=title.lower().replace(" ", "-"), live=True, **fields)
        )
        Page.objects.filter(pk=page.pk).update(first_published_at=when)
        return page


def test_new_since_your_last_visit_lists_what_was_published_after_it(world):
    now = timezone.now()
    _publish_under_home(world.org_a, title="Old memo", when=now - datetime.timedelta(days=30))
    _publish_under_home(world.org_a, title="Fresh memo", when=now - datetime.timedelta(days=1))
    member = client_for(world.org_a, person=world.a_member)
    first = member.get("/").content.decode()
    assert "New since your last visit" in first
    assert "Fresh memo" in first and "Old memo" not in first  # a first visit: the last two weeks

    with in_schema(world.org_a):
        user = local_user_for_account(account=world.a_member.account)
        earlier = now - datetime.timedelta(seconds=SAME_VISIT_SECONDS + 60)
        HomeVisit.objects.filter(user=user).update(last_at=earlier, previous_at=None)
    _publish_under_home(world.org_a, title="Newest memo", when=now - datetime.timedelta(seconds=30))
    again = member.get("/").content.decode()
    assert "Newest memo" in again and "Fresh memo" not in again
    assert "Newest memo" in member.get("/").content.decode()  # opened again at once: the same visit


def test_new_since_your_last_visit_shows_only_what_the_viewer_may_see(world):
    now = timezone.now()
    _publish_under_home(world.org_a, title="Staff only memo", when=now, visibility="organisation")
    _publish_under_home(world.org_a, title="Public memo", when=now, visibility="public")
    citizen = client_for(world.org_a, person=world.citizen).get("/").content.decode()
    assert "Public memo" in citizen and "Staff only memo" not in citizen
    b_member = client_for(world.org_a, person=world.b_member).get("/").content.decode()
    assert "Staff only memo" not in b_member
    anonymous = client_for(world.org_a).get("/").content.decode()
    assert "New since your last visit" not in anonymous  # nothing is recorded for an anonymous visitor
    assert "Staff only memo" not in client_for(world.org_b, person=world.b_member).get("/").content.decode()


def test_a_quick_link_needs_a_page_or_an_address_not_both():
    block = QuickLinkBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"title": "Nothing", "page": None, "url": ""}))
    assert block.clean(block.to_python({"title": "Leave", "page": None, "url": "https://example.org/"}))


def test_quick_links_are_shown_on_the_home(world):
    with in_schema(world.org_a):
        home = Site.objects.get(is_default_site=True).root_page.specific
        original = list(home.dashboard.raw_data)
        home.dashboard.append(
            (
                "quick_links",
                {
                    "heading": "Handy",
                    "links": [{"title": "Leave request", "page": None, "url": "https://hr.example/leave"}],
                },
            )
        )
        home.save()
    try:
        text = client_for(world.org_a, person=world.a_member).get("/").content.decode()
        assert "Handy" in text and 'href="https://hr.example/leave"' in text
    finally:
        with in_schema(world.org_a):
            HomePage.objects.filter(pk=home.pk).update(dashboard=original)


def test_sections_are_seeded_in_the_organisations_language_and_the_name_is_escaped(world):
    dutch = organisation_create(name="Gemeente <b>Vet</b>", slug="vet", language="nl")
    english = organisation_create(name="Borough Council", slug="borough", language="en")
    with in_schema(dutch):
        home = Site.objects.get().root_page.specific
        assert "Nieuws" in [page.title for page in home.get_children()]
        assert "&lt;b&gt;Vet&lt;/b&gt;" in home.intro and "<b>" not in home.intro
    with in_schema(english):
        assert "News" in [page.title for page in Site.objects.get().root_page.get_children()]
    with pytest.raises(ValidationError, match="Unknown language"):
        organisation_create(name="Klingon", slug="klingon", language="tlh")


def test_the_standard_page_lists_its_pages_in_a_bounded_number_of_queries(world):
    with in_schema(world.org_a):
        section = Site.objects.get(is_default_site=True).root_page.add_child(
            instance=ContentPage(title="Policies", slug="policies", live=True)
        )
    member = client_for(world.org_a, person=world.a_member)

    def queries_with(children: int) -> int:
        with in_schema(world.org_a):
            for n in range(children - section.get_children().count()):
                section.add_child(instance=ContentPage(title=f"Policy {n}", slug=f"policy-{n}-{children}", live=True))
        member.get("/policies/")  # warm caches (site root paths, content types)
        with CaptureQueriesContext(connection) as captured:
            assert member.get("/policies/").status_code == 200
        return len(captured)

    assert queries_with(3) == queries_with(9)


def test_the_home_page_is_served_in_a_bounded_number_of_queries(world):
    member = client_for(world.org_a, person=world.a_member)

    def queries_with(pages: int) -> int:
        for n in range(pages):
            _publish_under_home(world.org_a, title=f"Memo {pages} {n}", when=timezone.now())
        member.get("/")
        with CaptureQueriesContext(connection) as captured:
            assert member.get("/").status_code == 200
        return len(captured)

    assert queries_with(2) == queries_with(6)


def test_a_search_page_in_the_tree_searches_the_platform(world):
    with in_schema(world.org_a):
        home = Site.objects.get(is_default_site=True).root_page
        home.add_child(instance=SearchPage(title="Find", slug="find", live=True, intro="<p>Search everything.</p>"))
    response = client_for(world.org_a, person=world.a_member).get("/find/?q=organisation")
    assert response.status_code == 200 and "Search everything." in response.content.decode()
    assert response["Cache-Control"].startswith("private") or "private" in response["Cache-Control"]
    assert client_for(world.org_a, person=world.a_member).get("/find/?q=%00").status_code == 400


def test_the_search_page_issues_the_same_queries_for_n_and_3n_results(world):
    with in_schema(world.org_a):
        home = Site.objects.get(is_default_site=True).root_page
        home.add_child(instance=SearchPage(title="Find", slug="find", live=True))
    member = client_for(world.org_a, person=world.a_member)

    def queries_with(matches: int) -> int:
        with in_schema(world.org_a):
            for n in range(matches):
                home.add_child(
                    instance=ContentPage(title=f"Zebracrossing {matches} {n}", slug=f"zebra-{matches}-{n}", live=True)
                )
        organisation_reindex(organisation=world.org_a)
        member.get("/find/?q=zebracrossing")
        with CaptureQueriesContext(connection) as captured:
            response = member.get("/find/?q=zebracrossing")
        assert response.status_code == 200 and "Zebracrossing" in response.content.decode()
        return len(captured)

    assert queries_with(3) == queries_with(6)  # 3 results, then 9
