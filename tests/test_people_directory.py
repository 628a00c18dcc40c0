"""The profile fields filled in once for the platform, and the organisation's people directory page.

Who sees the directory: members of the organisation only, whatever the page's level (b_member, a citizen and
anonymous visitors are refused); it never shows memberships in other organisations.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from wagtail.models import Site

from shared_apps.accounts.models import Account
from shared_apps.accounts.personal_data.archive import row_data
from shared_apps.accounts.services.accounts import account_update_profile, expertise_normalise, phone_problem
from sites import catalogue
from tenant_apps.pages.models import ContentPage, HomePage
from tenant_apps.people_directory.catalogue_entry import seed
from tenant_apps.people_directory.demo import demo_content
from tenant_apps.people_directory.home_blocks import new_colleagues_context
from tenant_apps.people_directory.models import PeopleDirectoryPage
from tenant_apps.people_directory.selectors import directory_filters, directory_people
from tenants.models import Organisation
from tenants.roles import Role
from tests.harness.clients import client_for
from tests.harness.people import make_person
from tests.visibility_support import recognise_org_b_staff_as_civil_servants

pytestmark = pytest.mark.django_db

PROFILES = {
    "a_member": {
        "display_name": "Anna Member",
        "job_title": "Policy officer",
        "team": "Housing",
        "location": "City hall, 4th floor",
        "phone": "+31 30 123 45 67",
        "expertise": ["Zoning", "GIS"],
    },
    "a_editor": {
        "display_name": "Edgar Editor",
        "job_title": "Web editor",
        "team": "Communications",
        "location": "City hall, 2nd floor",
        "phone": "030-1234567",
        "expertise": ["Accessibility", "Plain language"],
    },
    "a_admin": {"display_name": "Ada Admin", "job_title": "Information manager", "team": "Housing"},
    "b_member": {"display_name": "Bram Member", "job_title": "Archivist", "team": "Records"},
    "citizen": {"display_name": "Cees Citizen", "job_title": "Neighbour", "team": ""},
    "a_editor_b_member": {
        "display_name": "Bo Both",
        "job_title": "Data analyst",
        "team": "Information",
        "expertise": ["GIS", "Open data"],
    },
}
A_MEMBERS = {"Anna Member", "Edgar Editor", "Ada Admin", "Bo Both"}
EVERYONE = {profile["display_name"] for profile in PROFILES.values()}


def _names(response) -> set[str]:  # type: ignore[no-untyped-def]
    text = response.content.decode()
    return {name for name in EVERYONE if name in text}


@pytest.fixture
def directory(world):  # type: ignore[no-untyped-def]
    """Org A with the app on and its directory page (seeded by the intranet blueprint, else made here), and
    every person of the world with a known profile. All of it rolls back after the test."""
    if "people" not in (world.org_a.enabled_apps or []):
        Organisation.objects.filter(pk=world.org_a.pk).update(enabled_apps=[*world.org_a.enabled_apps, "people"])
    with tenant_context(world.org_a):
        page = PeopleDirectoryPage.objects.live().first()
        if page is None:
            page = seed(home=Site.objects.get().root_page, language="en")
        world.directory_url = page.url
    for key, profile in PROFILES.items():
        Account.objects.filter(pk=world.people[key].account.pk).update(**profile)
    return world


# --- The profile fields ------------------------------------------------------------------------------------


def test_the_profile_form_saves_the_new_fields(world):
    person = make_person(key="profiled", email="profiled@mail.example", name="Pro Filed")
    client = client_for(None, person=person)
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    for label in (b"Team or department", b"Location", b"Phone number", b"Expertise"):
        assert label in page.content
    data = {
        "display_name": "Pro Filed",
        "job_title": "Policy officer",
        "team": "  Housing and Planning ",
        "location": "City hall, 4th floor",
        "phone": "+31 (0)30 123-45 67",
        "expertise": " Zoning ,zoning,  GIS ,, Open   data ",
        "language": "en",
    }
    saved = client.post("/accounts/profile/", data)
    assert saved.status_code == 302
    account = Account.objects.get(pk=person.account.pk)
    assert (account.team, account.location, account.phone) == (
        "Housing and Planning", "City hall, 4th floor", "+31 (0)30 123-45 67",
    )  # fmt: skip
    assert account.expertise == ["Zoning", "GIS", "Open data"]  # normalised: tidied, each once, in order
    again = client.get("/accounts/profile/")
    assert b'value="Zoning, GIS, Open data"' in again.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "call me maybe", "only digits, spaces and the signs + - ( )"),
        ("phone", "+31 " + "1" * 40, "at most 32 characters"),
        ("phone", "+-()", "only digits"),
        ("expertise", ", ".join(f"subject {n}" for n in range(21)), "at most 20 subjects of expertise (you gave 21)"),
        ("expertise", "GIS, " + "x" * 51, "each subject of expertise to 50 characters"),
        ("team", "t" * 151, "at most 150 characters"),
    ],
)
def test_bad_profile_input_gets_a_clear_error_and_saves_nothing(world, field, value, message):
    person = make_person(key="careless", email="careless@mail.example", name="Care Less")
    client = client_for(None, person=person)
    data = {"display_name": "Care Less", "job_title": "Changed", "team": "Changed", "language": "en", field: value}
    refused = client.post("/accounts/profile/", data)
    assert refused.status_code == 422
    assert field in refused.context["form"].errors
    assert message in " ".join(refused.context["form"].errors[field])
    account = Account.objects.get(pk=person.account.pk)
    assert (account.job_title, account.team, account.phone, account.expertise) == ("", "", "", [])


def test_the_service_checks_and_normalises_without_the_form(world):
    person = make_person(key="serviced", email="serviced@mail.example", name="Ser Viced")
    assert phone_problem(phone="") is None and phone_problem(phone="+31 6 1234 5678") is None
    assert phone_problem(phone="06-12345678\x00") is not None
    assert expertise_normalise(expertise=["Housing, GIS", "housing", " "]) == ["Housing", "GIS"]
    with pytest.raises(ValidationError) as refused:
        account_update_profile(
            account=person.account, display_name="Ser Viced", phone="nope", expertise=[f"s{n}" for n in range(25)]
        )
    assert set(refused.value.message_dict) == {"phone", "expertise"}
    assert Account.objects.get(pk=person.account.pk).expertise == []


def test_the_personal_data_export_holds_the_new_fields(world):
    account = world.a_member.account
    Account.objects.filter(pk=account.pk).update(team="Housing", phone="030 1", location="Here", expertise=["GIS"])
    data = row_data(Account.objects.get(pk=account.pk))
    assert {key: data[key] for key in ("team", "phone", "location", "expertise")} == {
        "team": "Housing", "phone": "030 1", "location": "Here", "expertise": ["GIS"],
    }  # fmt: skip
    json.dumps(data, default=str)  # the archive writes it as JSON


# --- The directory page ------------------------------------------------------------------------------------


def test_the_catalogue_declares_the_app_under_its_own_address(world):
    app = catalogue.catalogue_app("people")
    assert (app.order, app.page_types) == (50, ("org_people_directory.peopledirectorypage",))
    assert app.section is not None and app.section.slug == "colleagues"  # /people/ is the members app's route
    assert app.section.title("nl") == "Collega's" and app.section.title("en") == "Colleagues"
    assert [block.key for block in app.home_blocks] == ["people.new"]


def test_seeding_makes_a_live_menu_page_in_the_organisations_language(world):
    with tenant_context(world.org_b):
        parent = Site.objects.get().root_page.add_child(instance=ContentPage(title="Staff", slug="staff-seed"))
        page = seed(home=parent, language="nl")
        assert (page.title, page.slug, page.live, page.show_in_menus) == ("Collega's", "colleagues", True, True)
        assert isinstance(page.get_parent().specific, ContentPage)


def test_members_see_their_organisations_people_with_their_profiles(directory):
    response = client_for(directory.org_a, person=directory.a_member).get(directory.directory_url)
    assert response.status_code == 200
    assert _names(response) == A_MEMBERS
    for shown in (b"Policy officer", b"Housing", b"City hall, 4th floor", b"+31 30 123 45 67", b"GIS", b"Zoning"):
        assert shown in response.content
    assert b"4 colleagues" in response.content
    # Never an e-mail address, never a membership elsewhere: Bo Both is in org B too.
    assert directory.a_member.email.encode() not in response.content
    assert b"Organisation B" not in response.content
    # Initials instead of a photo (profile photos have no served address on a subsite).
    assert b">AM</span>" in response.content and b"profiles/" not in response.content
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?team=Housing", {"Anna Member", "Ada Admin"}),
        ("?team=housing", {"Anna Member", "Ada Admin"}),
        ("?expertise=gis", {"Anna Member", "Bo Both"}),
        ("?expertise=GIS&team=Information", {"Bo Both"}),
        ("?expertise=GI", set()),  # a whole subject, not a part of one
        ("?q=policy", {"Anna Member"}),
        ("?q=open+data", {"Bo Both"}),  # every word, in the expertise
        ("?q=edgar+web", {"Edgar Editor"}),
        ("?q=communications", {"Edgar Editor"}),
        ("?q=archivist", set()),  # org B's member is not in org A's directory
        ("?q=100%25", set()),
        ("?page=abc", A_MEMBERS),
        ("?page=999", A_MEMBERS),
    ],
)
def test_filters_and_search(directory, query, expected):
    response = client_for(directory.org_a, person=directory.a_member).get(directory.directory_url + query)
    assert response.status_code == 200
    people = response.context["people"].object_list
    assert {person.display_name for person in people} == expected


@pytest.mark.parametrize("query", ["?q=%00", "?team=a%00b", "?page=%00"])
def test_a_nul_byte_in_the_directorys_input_is_a_400(directory, query):
    """Refused before the page is reached (tenants/nul_bytes.py), with a message, never a 500."""
    response = client_for(directory.org_a, person=directory.a_member).get(directory.directory_url + query)
    assert response.status_code == 400 and b"NUL" in response.content


def test_the_filters_offer_the_members_teams_and_expertise_only(directory):
    response = client_for(directory.org_a, person=directory.a_member).get(directory.directory_url)
    filters = response.context["filters"]
    assert filters.teams == ["Communications", "Housing", "Information"]  # not org B's "Records"
    assert filters.expertise == ["Accessibility", "GIS", "Open data", "Plain language", "Zoning"]
    assert b'<option value="Housing">Housing</option>' in response.content


@pytest.mark.parametrize("query", ["?q=" + "x" * 500, "?expertise=" + "y" * 80])
def test_bad_search_input_is_a_clear_400_never_a_500(directory, query):
    response = client_for(directory.org_a, person=directory.a_member).get(directory.directory_url + query)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert b'role="alert"' in response.content and _names(response) == set()


def test_the_directory_is_paginated_by_30(directory):
    for number in range(31):
        make_person(key=f"many{number}", name=f"Zz Many {number:02}", roles={directory.org_a: Role.MEMBER})
    client = client_for(directory.org_a, person=directory.a_member)
    first = client.get(directory.directory_url)
    assert len(first.context["people"].object_list) == 30 and b'rel="next"' in first.content
    second = client.get(directory.directory_url + "?page=2")
    assert len(second.context["people"].object_list) == 5  # 35 members in all
    filtered = client.get(directory.directory_url + "?q=many&page=2")
    assert [p.display_name for p in filtered.context["people"].object_list] == ["Zz Many 30"]


@pytest.mark.parametrize("level", ["", "organisation", "civil_servants", "public"])
@pytest.mark.parametrize("key", ["b_member", "citizen", "anonymous"])
def test_outsiders_are_refused_whatever_the_pages_level(directory, level, key):
    """Even when the home and the page are open to civil servants or everyone (and b_member is a civil
    servant), the directory is for the organisation's members."""
    recognise_org_b_staff_as_civil_servants(directory)
    with tenant_context(directory.org_a):
        if level:
            HomePage.objects.update(visibility=level)
        PeopleDirectoryPage.objects.filter(live=True).update(visibility=level)
    person_url = f"{directory.directory_url}{directory.a_member.account.pk}/"
    client = client_for(directory.org_a, person=None if key == "anonymous" else directory.people[key])
    for url in (directory.directory_url, person_url, directory.directory_url + "?q=anna"):
        response = client.get(url)
        if key == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
        else:
            assert response.status_code == 403
        assert _names(response) == set() and b"Policy officer" not in response.content


def test_and_from_the_other_organisation_a_member_of_a_is_an_outsider_on_b(directory):
    with tenant_context(directory.org_b):
        page = PeopleDirectoryPage.objects.live().first() or seed(home=Site.objects.get().root_page, language="en")
        url = page.url
    if "people" not in (directory.org_b.enabled_apps or []):
        Organisation.objects.filter(pk=directory.org_b.pk).update(
            enabled_apps=[*directory.org_b.enabled_apps, "people"]
        )
    assert client_for(directory.org_b, person=directory.a_member).get(url).status_code == 403
    response = client_for(directory.org_b, person=directory.b_member).get(url)
    assert response.status_code == 200 and _names(response) == {"Bram Member", "Bo Both"}


def test_the_person_page_shows_the_full_profile_and_the_role_here_only(directory):
    client = client_for(directory.org_a, person=directory.a_member)
    both = directory.a_editor_b_member.account
    Account.objects.filter(pk=both.pk).update(bio="Maps and numbers.", location="Annex", phone="+31 6 1")
    response = client.get(f"{directory.directory_url}{both.pk}/")
    assert response.status_code == 200
    for shown in (b"<h1>Bo Both</h1>", b"Data analyst", b"Information", b"Annex", b"+31 6 1", b"Maps and numbers."):
        assert shown in response.content
    assert b'class="profile-role">Editor<' in response.content  # the role in org A; in org B Bo is a member
    assert b"Organisation B" not in response.content and both.email.encode() not in response.content

    # Someone who is no member of org A has no page in its directory, nor has an unknown id.
    assert client.get(f"{directory.directory_url}{directory.b_member.account.pk}/").status_code == 404
    assert client.get(f"{directory.directory_url}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get(f"{directory.directory_url}not-a-uuid/").status_code == 404


def test_a_person_who_left_is_gone_from_the_directory(directory):
    with tenant_context(directory.org_a):
        user = directory.a_admin.local_user(directory.org_a)
        user.is_active = False
        user.save(update_fields=["is_active"])
    client = client_for(directory.org_a, person=directory.a_member)
    assert "Ada Admin" not in _names(client.get(directory.directory_url))
    assert client.get(f"{directory.directory_url}{directory.a_admin.account.pk}/").status_code == 404


def _queries_for_listing(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # warm Django's and Wagtail's per-process caches first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_suffix", ["", "?q=colleague", "?expertise=GIS"])
def test_the_listing_issues_the_same_number_of_queries_for_n_and_3n_people(directory, url_suffix):
    client = client_for(directory.org_a, person=directory.a_member)
    url = directory.directory_url + url_suffix

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            person = make_person(key=f"q{number}", name=f"Colleague {number}", roles={directory.org_a: Role.MEMBER})
            Account.objects.filter(pk=person.account.pk).update(
                team=f"Team {number}", expertise=["GIS", f"Subject {number}"], job_title="Colleague"
            )

    add(3, 0)
    few = _queries_for_listing(client, url)
    add(6, 3)
    many = _queries_for_listing(client, url)
    assert len(client.get(url).context["people"].object_list) >= 9
    assert few == many


def test_the_selectors_are_bounded_and_read_the_current_schema(directory):
    with tenant_context(directory.org_a), CaptureQueriesContext(connection) as queries:
        page = directory_people(query="", team="", expertise="")
        names = {person.display_name for person in page.object_list}
        filters = directory_filters()
    assert names == A_MEMBERS and "Records" not in filters.teams
    assert len([q for q in queries if not q["sql"].startswith("SET")]) <= 6


# --- The "New colleagues" home block and the demo ----------------------------------------------------------


def _request_as(world, key: str):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/", HTTP_HOST=world.org_a.platform_host)
    request.user = world.people[key].local_user(world.org_a)
    return request


def test_the_new_colleagues_block_is_for_members_only(directory):
    with tenant_context(directory.org_a):
        member_context = new_colleagues_context(request=_request_as(directory, "a_member"), page=None, value={})
        outsider_context = new_colleagues_context(request=_request_as(directory, "b_member"), page=None, value={})
        html = render_to_string(
            "people_directory/blocks/new_colleagues.html",
            {**member_context, "heading": "New colleagues", "block_id": "people-new"},
        ).strip()
        nothing = render_to_string("people_directory/blocks/new_colleagues.html", outsider_context).strip()
    assert member_context["for_members"] is True
    names = {colleague.person.display_name for colleague in member_context["colleagues"]}
    assert names and names <= A_MEMBERS and len(names) <= 5
    assert html.startswith('<h2 id="people-new">New colleagues</h2>')
    assert all(name in html for name in names)
    assert nothing == "" and outsider_context == {"for_members": False}


def test_the_new_colleagues_block_is_bounded(directory):
    def queries() -> int:
        with tenant_context(directory.org_a), CaptureQueriesContext(connection) as captured:
            context = new_colleagues_context(request=_request_as(directory, "a_member"), page=None, value={"count": 3})
        assert len(context["colleagues"]) == 3
        return len(captured)

    before = queries()
    for number in range(6):
        make_person(key=f"new{number}", name=f"New {number}", roles={directory.org_a: Role.MEMBER})
    assert queries() == before


def test_demo_content_fills_in_empty_profiles_of_the_members_only(directory):
    Account.objects.filter(pk=directory.a_member.account.pk).update(team="", expertise=[])
    with tenant_context(directory.org_a):
        demo_content(section=None, language="nl")
        demo_content(section=None, language="nl")  # twice: nothing changes the second time
    account = Account.objects.get(pk=directory.a_member.account.pk)
    assert account.team.startswith("Team ") and account.expertise and account.phone
    assert Account.objects.get(pk=directory.a_editor.account.pk).team == "Communications"  # filled in already
    assert Account.objects.get(pk=directory.citizen.account.pk).team == ""  # no member of org A
