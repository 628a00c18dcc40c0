"""The platform search: one ranked, paginated list of what the viewer may see, from any subsite and the
shared space — pages of every level in two organisations, open, closed and hidden groups with content.

Every viewer: a member of A, a member of B, someone in both, a citizen, anonymous. Each sees exactly what
they may, counts included; and from org A's subsite, org B's subsite and the shared space.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from wagtail.models import Site

from shared_apps.group_discussions.services import discussion_create
from shared_apps.groups.models import Group
from shared_apps.groups.services.memberships import group_leave, membership_add
from shared_apps.groups.services.moderation import item_hide
from shared_apps.search.access import (
    SearchViewer,
    organisation_entries_condition,
    search_viewer_for_account,
)
from shared_apps.search.models import SearchEntry
from shared_apps.search.selectors import QUERY_MAX, clean_query, search
from shared_apps.search.services import EntryData, entries_upsert, group_reindex, organisation_reindex
from tenant_apps.pages.models import ContentPage
from tenant_apps.pages.visibility import Level, Viewer, can_view
from tenants.audit import Actor
from tenants.models import Organisation
from tenants.services import organisation_resume, organisation_suspend
from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db

LEVELS = ["organisation", "civil_servants", "public"]
WORD = "zebrapad"


@dataclass
class Platform:
    world: object
    groups: dict[str, Group]


def _pages(org: Organisation, letter: str) -> None:
    with tenant_context(org):
        home = Site.objects.get().root_page
        for level in LEVELS:
            home.add_child(
                instance=ContentPage(
                    title=f"Zebrapad {letter} {level}",
                    slug=f"zebra-{level}",
                    visibility=level,
                    summary=f"About {level}",
                    body="<p>Notulen van de vergadering over het oversteken.</p>",
                )
            )


@pytest.fixture
def platform(world, make_group):  # type: ignore[no-untyped-def]
    """Pages of every level in org A and org B; an open group (for everyone), a closed one and a hidden one,
    each with a discussion, and a hidden item in the open one. All indexed."""
    _pages(world.org_a, "A")
    _pages(world.org_b, "B")
    open_group = make_group(world.a_member, name="Zebrapad open group", audience="everyone")
    closed = make_group(world.a_member, name="Zebrapad closed group", visibility="closed")
    hidden = make_group(world.b_member, name="Zebrapad hidden group", visibility="hidden")
    for group, title, author in (
        (open_group, "Zebrapad open discussion", world.a_member),
        (closed, "Zebrapad closed discussion", world.a_member),
        (hidden, "Zebrapad hidden-group discussion", world.b_member),
    ):
        discussion_create(group=group, author=author.account, kind="discussion", title=title, body="<p>Over.</p>")
    secret = discussion_create(
        group=open_group, author=world.a_member.account, kind="discussion", title="Zebrapad hidden item", body="x"
    )
    item_hide(group=open_group, actor=world.a_member.account, item=secret)
    organisation_reindex(organisation=world.org_a)
    organisation_reindex(organisation=world.org_b)
    for group in (open_group, closed, hidden):
        group_reindex(group_id=group.pk)
    return Platform(world=world, groups={"open": open_group, "closed": closed, "hidden": hidden})


def _org_pages(letter: str, levels: list[str]) -> set[str]:
    return {f"Zebrapad {letter} {level}" for level in levels}


ALL = LEVELS
OPEN_TO_CIVIL_SERVANTS = ["civil_servants", "public"]
PUBLIC = ["public"]

#: viewer -> every title they may find for "zebrapad" (all but the citizen are civil servants here)
EXPECTED = {
    "a_member": _org_pages("A", ALL)
    | _org_pages("B", OPEN_TO_CIVIL_SERVANTS)
    | {"Zebrapad open group", "Zebrapad closed group", "Zebrapad open discussion", "Zebrapad closed discussion"},
    "b_member": _org_pages("B", ALL)
    | _org_pages("A", OPEN_TO_CIVIL_SERVANTS)
    | {"Zebrapad open group", "Zebrapad closed group", "Zebrapad hidden group"}
    | {"Zebrapad open discussion", "Zebrapad hidden-group discussion"},
    "a_editor_b_member": _org_pages("A", ALL)
    | _org_pages("B", ALL)
    | {"Zebrapad open group", "Zebrapad closed group", "Zebrapad open discussion"},
    "citizen": _org_pages("A", PUBLIC) | _org_pages("B", PUBLIC) | {"Zebrapad open group", "Zebrapad open discussion"},
    "anonymous": _org_pages("A", PUBLIC) | _org_pages("B", PUBLIC) | {"Zebrapad open group"},
}


def _kinds(titles: set[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for title in titles:
        kind = "discussion" if "discussion" in title else "group" if title.endswith("group") else "page"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _viewer(platform: Platform, key: str, organisation: Organisation | None = None) -> SearchViewer:
    current = organisation.pk if organisation is not None else None
    if key == "anonymous":
        return SearchViewer(current_organisation_id=current)
    return search_viewer_for_account(account=getattr(platform.world, key).account, current_organisation_id=current)


def _titles_in(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    return set(re.findall(r'<li class="search-result"[^>]*>\s*<a href="[^"]+">([^<]+)</a>', html))


@pytest.mark.parametrize("viewer", list(EXPECTED))
def test_each_viewer_finds_exactly_what_they_may_with_the_counts(platform, viewer):
    found = search(viewer=_viewer(platform, viewer), query=WORD)
    assert {entry.title for entry in found.entries} == EXPECTED[viewer]
    assert found.total == len(EXPECTED[viewer])
    assert found.counts_by_kind == _kinds(EXPECTED[viewer])
    assert "Zebrapad hidden item" not in {entry.title for entry in found.entries}  # hidden: found by no one


@pytest.mark.parametrize("viewer", list(EXPECTED))
@pytest.mark.parametrize("where", ["shared space", "org A", "org B"])
def test_the_same_from_every_subsite_and_the_shared_space(platform, viewer, where):
    world = platform.world
    organisation = {"shared space": None, "org A": world.org_a, "org B": world.org_b}[where]
    person = None if viewer == "anonymous" else getattr(world, viewer)
    response = client_for(organisation, person=person).get("/search/", {"q": WORD})
    assert _titles_in(response) == EXPECTED[viewer]
    html = response.content.decode()
    for kind, count in _kinds(EXPECTED[viewer]).items():
        assert re.search(rf'data-kind="{kind}"><a [^>]*>[^<]+\({count}\)</a>', html), (kind, count)
    assert "Cookie" in response["Vary"]
    assert ("private" in response.get("Cache-Control", "")) == (person is not None)
    if organisation is not None:  # the subsite's own menu around the results
        assert 'class="site-menu"' in html


def test_source_filter_this_organisation_groups_and_others(platform):
    world = platform.world
    on_a = _viewer(platform, "b_member", world.org_a)
    this = search(viewer=on_a, query=WORD, source="this")
    assert {entry.title for entry in this.entries} == _org_pages("A", OPEN_TO_CIVIL_SERVANTS)
    others = search(viewer=on_a, query=WORD, source="others")
    assert {entry.title for entry in others.entries} == _org_pages("B", ALL)
    groups = search(viewer=on_a, query=WORD, source="groups")
    assert all(entry.source == "group" for entry in groups.entries) and groups.total == 5
    # The source counts come with every filter but the source filter (and with the kind filter)
    assert this.counts_by_source == {"this": 2, "others": 3, "groups": 5}
    pages_only = search(viewer=on_a, query=WORD, kind="page")
    assert pages_only.counts_by_source == {"this": 2, "others": 3}
    assert pages_only.counts_by_kind == {"page": 5, "group": 3, "discussion": 2}  # the facet shows every kind
    # On org B's subsite, B's pages are "this organisation"; on the shared space there is no "this".
    on_b = _viewer(platform, "b_member", world.org_b)
    assert {e.title for e in search(viewer=on_b, query=WORD, source="this").entries} == _org_pages("B", ALL)
    shared = _viewer(platform, "b_member")
    assert search(viewer=shared, query=WORD, source="this").total == 0
    assert search(viewer=shared, query=WORD, source="others").total == 5


def test_source_and_kind_filters_in_the_page(platform):
    world = platform.world
    client = client_for(world.org_a, person=world.citizen)
    assert _titles_in(client.get("/search/", {"q": WORD, "source": "this"})) == {"Zebrapad A public"}
    assert _titles_in(client.get("/search/", {"q": WORD, "source": "others"})) == {"Zebrapad B public"}
    assert _titles_in(client.get("/search/", {"q": WORD, "kind": "group"})) == {"Zebrapad open group"}
    assert client.get("/search/", {"q": WORD, "kind": "poem"}).status_code == 400  # not a kind: said, not a 500
    # And from the other organisation: org B's subsite calls A's pages "other organisations".
    other = client_for(world.org_b, person=world.citizen)
    assert _titles_in(other.get("/search/", {"q": WORD, "source": "this"})) == {"Zebrapad B public"}


def test_date_filter_and_bad_dates(platform):
    world = platform.world
    old = timezone.now() - datetime.timedelta(days=400)
    SearchEntry.objects.filter(title="Zebrapad A public").update(published_at=old)
    viewer = _viewer(platform, "citizen")
    last_year = timezone.localtime(old).date()
    found = search(viewer=viewer, query=WORD, since=last_year, until=last_year)
    assert [entry.title for entry in found.entries] == ["Zebrapad A public"]
    recent = search(viewer=viewer, query=WORD, since=timezone.localdate() - datetime.timedelta(days=30))
    assert "Zebrapad A public" not in {entry.title for entry in recent.entries} and recent.total == 3
    client = client_for(None, person=world.citizen)
    response = client.get("/search/", {"q": WORD, "from": last_year.isoformat(), "to": last_year.isoformat()})
    assert _titles_in(response) == {"Zebrapad A public"}
    bad = client.get("/search/", {"q": WORD, "from": "31-02-2025"})
    assert bad.status_code == 400 and b"Enter the start date as YYYY-MM-DD." in bad.content
    reversed_range = client.get("/search/", {"q": WORD, "from": "2025-02-02", "to": "2025-01-01"})
    assert reversed_range.status_code == 400 and b"The start date is after the end date." in reversed_range.content
    with pytest.raises(ValueError, match="start date"):
        search(viewer=viewer, query=WORD, since=datetime.date(2025, 2, 2), until=datetime.date(2025, 1, 1))


def test_pagination_trims_before_paging_and_never_leaks(world):
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        for number in range(25):
            home.add_child(instance=ContentPage(title=f"Bulletin {number}", slug=f"b-{number}", visibility="public"))
        for number in range(7):
            home.add_child(instance=ContentPage(title=f"Bulletin closed {number}", slug=f"c-{number}"))
    organisation_reindex(organisation=world.org_a)
    citizen = search_viewer_for_account(account=world.citizen.account)
    first = search(viewer=citizen, query="bulletin", per_page=10)
    assert first.total == 25 and len(first.entries) == 10 and first.num_pages == 3
    third = search(viewer=citizen, query="bulletin", per_page=10, page=3)
    assert len(third.entries) == 5 and all("closed" not in entry.title for entry in third.entries)
    assert search(viewer=citizen, query="bulletin", per_page=10, page=99).page == 3  # past the end: the last page
    pages = [search(viewer=citizen, query="bulletin", per_page=10, page=n).entries for n in (1, 2, 3)]
    assert len({entry.key for page in pages for entry in page}) == 25  # no entry twice, none missing
    member = search_viewer_for_account(account=world.a_member.account)
    assert search(viewer=member, query="bulletin").total == 32
    response = client_for(world.org_a, person=world.citizen).get("/search/", {"q": "bulletin", "page": 2})
    assert b"25 results" in response.content and b'rel="prev" href="?q=bulletin&amp;page=1"' in response.content
    assert b"Bulletin closed" not in response.content
    # And from the other organisation: org B's member (no civil servant here) sees A's public pages only.
    other = client_for(world.org_b, person=world.b_member).get("/search/", {"q": "bulletin"})
    assert b"25 results" in other.content and b"Bulletin closed" not in other.content


def test_a_suspended_organisations_pages_vanish_for_everyone(platform):
    world = platform.world
    organisation_suspend(organisation=world.org_b, reason="test", actor=Actor.cli())
    for viewer in EXPECTED:
        titles = {e.title for e in search(viewer=_viewer(platform, viewer), query=WORD).entries}
        assert not any(title.startswith("Zebrapad B") for title in titles), viewer
        assert titles == {t for t in EXPECTED[viewer] if not t.startswith("Zebrapad B")}
    organisation_resume(organisation=Organisation.objects.get(pk=world.org_b.pk), actor=Actor.cli())
    assert {e.title for e in search(viewer=_viewer(platform, "citizen"), query=WORD).entries} == EXPECTED["citizen"]


def test_a_member_leaving_a_closed_group_stops_seeing_its_content_at_once(platform):
    world = platform.world
    closed = platform.groups["closed"]
    membership_add(group=closed, account=world.b_member.account)
    found = {e.title for e in search(viewer=_viewer(platform, "b_member"), query=WORD).entries}
    assert "Zebrapad closed discussion" in found
    group_leave(group=closed, account=world.b_member.account)
    found = {e.title for e in search(viewer=_viewer(platform, "b_member"), query=WORD).entries}
    assert "Zebrapad closed discussion" not in found and "Zebrapad closed group" in found  # listed still


def test_a_group_made_hidden_disappears_at_once_without_a_reindex(platform):
    closed = platform.groups["closed"]
    Group.objects.filter(pk=closed.pk).update(visibility="hidden")
    titles = {e.title for e in search(viewer=_viewer(platform, "b_member"), query=WORD).entries}
    assert "Zebrapad closed group" not in titles
    owner = {e.title for e in search(viewer=_viewer(platform, "a_member"), query=WORD).entries}
    assert "Zebrapad closed group" in owner


def test_dutch_and_english_stemming(world):
    now = timezone.now()
    entries_upsert(
        entries=[
            EntryData(
                key=f"{world.org_a.schema_name}:test:{n}",
                source="organisation",
                kind="page",
                title=title,
                summary="",
                body=body,
                url="http://example.org/",
                language=language,
                published_at=now,
                organisation_id=world.org_a.pk,
                audience="public",
            )
            for n, (title, body, language) in enumerate(
                [
                    ("De vergadering", "Over de fietspaden.", "nl"),
                    ("Meeting notes", "The running of the committees.", "en"),
                ]
            )
        ]
    )
    anonymous = SearchViewer()
    assert [e.title for e in search(viewer=anonymous, query="vergaderingen").entries] == ["De vergadering"]
    assert [e.title for e in search(viewer=anonymous, query="fietspad").entries] == ["De vergadering"]
    assert [e.title for e in search(viewer=anonymous, query="meetings").entries] == ["Meeting notes"]
    assert [e.title for e in search(viewer=anonymous, query="committee run").entries] == ["Meeting notes"]
    # websearch syntax: a quoted phrase and an exclusion
    assert [e.title for e in search(viewer=anonymous, query='"meeting notes" -vergadering').entries] == [
        "Meeting notes"
    ]


def test_title_ranks_above_body_then_newest_first(world):
    now = timezone.now()

    def entry(n: int, title: str, body: str, age: int) -> EntryData:
        return EntryData(
            key=f"{world.org_a.schema_name}:rank:{n}",
            source="organisation",
            kind="page",
            title=title,
            summary="",
            body=body,
            url="http://example.org/",
            language="en",
            published_at=now - datetime.timedelta(days=age),
            organisation_id=world.org_a.pk,
            audience="public",
        )

    entries_upsert(
        entries=[
            entry(1, "Budget", "Something about bicycles.", 1),
            entry(2, "Bicycles", "All about bicycles.", 5),
            entry(3, "Old", "Something about bicycles.", 9),
        ]
    )
    titles = [e.title for e in search(viewer=SearchViewer(), query="bicycles").entries]
    assert titles == ["Bicycles", "Budget", "Old"]


def test_empty_and_very_long_queries(platform):
    viewer = _viewer(platform, "citizen")
    with_no_queries = search(viewer=viewer, query="   ")
    assert with_no_queries.total == 0 and with_no_queries.entries == []
    assert len(clean_query("woord " * 200)) <= QUERY_MAX
    assert search(viewer=viewer, query=f"{WORD} " + "x" * 5000).total >= 0  # capped, no error
    client = client_for(None, person=None)
    assert client.get("/search/", {"q": ""}).status_code == 200
    assert client.get("/search/", {"q": "x" * 5000}).status_code == 200
    assert client.get("/search/", {"q": "&|!:*()'\""}).status_code == 200  # websearch syntax never errors


def test_only_the_postgres_backend_is_built(settings, platform):
    settings.SEARCH_BACKEND = "opensearch"
    with pytest.raises(ImproperlyConfigured, match="only search backend built is 'postgres'"):
        search(viewer=SearchViewer(), query=WORD)


def test_the_search_asks_the_database_a_fixed_number_of_times(platform):
    viewer = _viewer(platform, "b_member", platform.world.org_a)
    with CaptureQueriesContext(connection) as queries:
        search(viewer=viewer, query=WORD)
    asked = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(asked) == 2  # the grouped counts (facets and total), one page of results
    assert "GROUP BY" in asked[0] and "LIMIT" in asked[1]


# --- The SQL trim says what tenant_apps.pages.visibility says --------------------------------------------


#: (signed in, member of the entry's organisation, civil servant): every kind of viewer there is
VIEWER_KINDS = [
    (False, False, False),
    (True, False, False),
    (True, False, True),
    (True, True, False),
    (True, True, True),
]


@pytest.mark.parametrize("level", list(Level))
@pytest.mark.parametrize(("signed_in", "member", "civil_servant"), VIEWER_KINDS)
def test_the_sql_trim_agrees_with_the_page_visibility_rule(world, level, signed_in, member, civil_servant):
    entries_upsert(
        entries=[
            EntryData(
                key=f"{world.org_a.schema_name}:agree:1",
                source="organisation",
                kind="page",
                title="Any",
                summary="",
                body="",
                url="http://example.org/",
                language="nl",
                published_at=timezone.now(),
                organisation_id=world.org_a.pk,
                audience=level.key,
            )
        ]
    )
    search_viewer = SearchViewer(
        account_id="someone" if signed_in else None,
        civil_servant=civil_servant,
        member_organisation_ids=frozenset({world.org_a.pk}) if member else frozenset({world.org_b.pk}),
    )
    in_sql = SearchEntry.objects.filter(organisation_entries_condition(viewer=search_viewer)).exists()
    policy = can_view(viewer=Viewer(authenticated=signed_in, member=member, civil_servant=civil_servant), level=level)
    assert in_sql == policy


def test_membership_is_read_from_the_schemas_that_hold_the_person(world):
    viewer = search_viewer_for_account(account=world.a_editor_b_member.account)
    assert viewer.member_organisation_ids == {world.org_a.pk, world.org_b.pk}
    assert search_viewer_for_account(account=world.citizen.account).member_organisation_ids == frozenset()
    with CaptureQueriesContext(connection) as queries:
        only_a = search_viewer_for_account(account=world.a_member.account)
    assert only_a.member_organisation_ids == {world.org_a.pk}
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert f'"{world.org_a.schema_name}".' in sql and f'"{world.org_b.schema_name}".' not in sql  # never every schema
    assert connection.schema_name == "public"
