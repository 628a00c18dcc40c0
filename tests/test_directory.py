"""People directories: an organisation's (members only) and the platform's (civil servants see civil
servants; citizens and anonymous visitors see public profiles only)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.shared_space.selectors import (
    directory_accounts,
    memberships_of,
    viewer_is_civil_servant,
)
from tenant_apps.members.selectors import organisation_directory
from tenants.models import EmailDomain, Organisation
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

NAMES = {
    "a_member": "Anna Member",
    "a_editor": "Edgar Editor",
    "a_admin": "Ada Admin",
    "b_member": "Bram Member",
    "citizen": "Cees Citizen",
    "a_editor_b_member": "Bo Both",
}


@pytest.fixture
def directory_world(world):  # type: ignore[no-untyped-def]
    """Known names; org A and B register their e-mail domains, so their people's verified addresses
    make them civil servants; the citizen's address is elsewhere. Plus a citizen with a public profile."""
    EmailDomain.objects.create(organisation=world.org_a, domain="org-a.example")
    EmailDomain.objects.create(organisation=world.org_b, domain="org-b.example")
    for key, name in NAMES.items():
        account = world.people[key].account
        Account.objects.filter(pk=account.pk).update(display_name=name, profile_public=False)
        AccountEmail.objects.filter(account=account).delete()
        AccountEmail.objects.create(account=account, email=account.email, is_primary=True, verified_at=timezone.now())
    Account.objects.filter(pk=world.a_member.account.pk).update(job_title="Policy officer", bio="Housing and zoning.")
    public = make_person(key="public_citizen", email="public@mail.example", name="Pia Public")
    Account.objects.filter(pk=public.account.pk).update(profile_public=True, job_title="Neighbourhood volunteer")
    world.public_citizen = public  # this test's World object only, not the session's people
    return world


def _names(response) -> set[str]:  # type: ignore[no-untyped-def]
    text = response.content.decode()
    return {name for name in [*NAMES.values(), "Pia Public"] if name in text}


# --- An organisation's directory -------------------------------------------------------------------------


def test_members_see_their_organisations_people_and_nobody_elses(directory_world):
    world = directory_world
    response = client_for(world.org_a, person=world.a_member).get("/people/")
    assert response.status_code == 200
    assert _names(response) == {"Anna Member", "Edgar Editor", "Ada Admin", "Bo Both"}
    assert b"Policy officer" in response.content and b"Housing and zoning." in response.content
    assert world.a_member.email.encode() not in response.content  # never an e-mail address

    # And from the other organisation: B's directory shows B's members to B's members.
    response = client_for(world.org_b, person=world.a_editor_b_member).get("/people/")
    assert response.status_code == 200 and _names(response) == {"Bram Member", "Bo Both"}


@pytest.mark.parametrize("key", ["b_member", "citizen"])
def test_non_members_are_refused_and_offered_to_ask_to_join(directory_world, key):
    response = client_for(directory_world.org_a, person=directory_world.people[key]).get("/people/")
    assert response.status_code == 403
    assert _names(response) == set() and b"Request to join" in response.content


def test_anonymous_visitors_are_sent_to_sign_in(directory_world):
    response = client_for(directory_world.org_a).get("/people/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_profiles_name_every_active_organisation_the_person_is_a_member_of(directory_world):
    world = directory_world
    both = world.a_editor_b_member.account.pk
    assert [ref.slug for ref in memberships_of(account_ids=[both])[both]] == ["org-a", "org-b"]
    # A directory names only the organisations the viewer shares with the person (issue 13, defect 5).
    response = client_for(world.org_a, person=world.a_member).get("/people/")
    assert b"Organisation A" in response.content and b"Organisation B" not in response.content
    response = client_for(world.org_a, person=world.a_editor_b_member).get("/people/")
    assert b"Organisation A, Organisation B" in response.content

    Organisation.objects.filter(pk=world.org_b.pk).update(status=Organisation.Status.SUSPENDED)
    assert [ref.slug for ref in memberships_of(account_ids=[both])[both]] == ["org-a"]
    citizen = world.citizen.account.pk
    world.citizen.local_user(world.org_a)  # a local user, but no membership
    assert memberships_of(account_ids=[citizen]) == {}


def test_the_organisation_directory_selector_refuses_non_members(directory_world):
    world = directory_world
    with pytest.raises(PermissionDenied):
        organisation_directory(organisation=world.org_b, viewer=world.a_member.local_user(world.org_b))
    profiles = organisation_directory(organisation=world.org_b, viewer=world.b_member.local_user(world.org_b))
    assert {p.display_name for p in profiles} == {"Bram Member", "Bo Both"}


# --- The platform directory ------------------------------------------------------------------------------


def test_civil_servants_see_civil_servants_and_public_profiles_on_the_shared_space(directory_world):
    world = directory_world
    response = client_for(None, person=world.a_member).get("/people/")
    assert response.status_code == 200
    assert _names(response) == {*NAMES.values(), "Pia Public"} - {"Cees Citizen"}

    # And from the other organisation: a civil servant of B sees A's people as well.
    assert "Anna Member" in _names(client_for(None, person=world.b_member).get("/people/"))


@pytest.mark.parametrize("who", ["citizen", "anonymous"])
def test_citizens_and_anonymous_visitors_see_public_profiles_only(directory_world, who):
    world = directory_world
    client = client_for(None) if who == "anonymous" else client_for(None, person=world.citizen)
    response = client.get("/people/")
    assert response.status_code == 200 and _names(response) == {"Pia Public"}
    assert b"Neighbourhood volunteer" in response.content

    Account.objects.filter(pk=world.a_editor.account.pk).update(profile_public=True)
    assert _names(client.get("/people/")) == {"Pia Public", "Edgar Editor"}
    assert client.get(f"/people/{world.a_editor.account.pk}/").status_code == 200
    assert client.get(f"/people/{world.a_member.account.pk}/").status_code == 404


def test_a_profile_page_shows_the_fields_to_those_who_may_see_it(directory_world):
    world = directory_world
    url = f"/people/{world.a_member.account.pk}/"
    response = client_for(None, person=world.b_member).get(url)
    assert response.status_code == 200
    for text in (b"Anna Member", b"Policy officer", b"Housing and zoning."):
        assert text in response.content
    assert b"Organisation A" not in response.content  # B's member shares no organisation with her (defect 5)
    assert b"Organisation A" in client_for(None, person=world.a_editor).get(url).content
    assert client_for(None, person=world.citizen).get(url).status_code == 404
    assert client_for(None).get(f"/people/{world.citizen.account.pk}/").status_code == 404


def test_who_counts_as_a_civil_servant(directory_world):
    world = directory_world
    assert viewer_is_civil_servant(account=world.a_member.account)
    assert not viewer_is_civil_servant(account=world.citizen.account)
    assert not viewer_is_civil_servant(account=None)

    # An unverified address does not count; nor does a domain of an organisation being deleted.
    AccountEmail.objects.filter(account=world.b_member.account).update(verified_at=None)
    assert not viewer_is_civil_servant(account=world.b_member.account)
    Organisation.objects.filter(pk=world.org_a.pk).update(status=Organisation.Status.PENDING_DELETION)
    assert not viewer_is_civil_servant(account=world.a_member.account)
    assert set(directory_accounts(viewer=world.a_member.account)) == {world.public_citizen.account}


def test_inactive_accounts_are_never_listed_and_the_search_finds_by_name_or_job(directory_world):
    world = directory_world
    Account.objects.filter(pk=world.a_editor.account.pk).update(is_active=False)
    viewer = world.a_member.account
    names = {account.display_name for account in directory_accounts(viewer=viewer)}
    assert "Edgar Editor" not in names and "Anna Member" in names
    assert [a.display_name for a in directory_accounts(viewer=viewer, query="policy")] == ["Anna Member"]
    assert [a.display_name for a in directory_accounts(viewer=viewer, query="bram")] == ["Bram Member"]
