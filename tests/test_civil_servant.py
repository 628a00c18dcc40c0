"""Civil-servant status: a verified address at a government organisation's e-mail domain, computed live."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.accounts.selectors import account_civil_servant_organisations, account_is_civil_servant
from shared_apps.accounts.services.accounts import account_sign_up
from tenants import services as lifecycle
from tenants.audit import Actor
from tenants.models import Organisation
from tests import accounts_support as support
from tests.accounts_support import link_in, mails_to
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

own_cache, synced, after_commit = support.own_cache, support.synced, support.after_commit
account_mails_inline = support.account_mails_inline  # the account e-mails' task runs when queued
steady_totp_clock = support.steady_totp_clock

OPERATOR = Actor.system("tests")


@pytest.fixture
def domains(world) -> None:  # type: ignore[no-untyped-def]
    lifecycle.organisation_email_domain_add(organisation=world.org_a, domain="Ministry-A.example", actor=OPERATOR)
    lifecycle.organisation_email_domain_add(organisation=world.org_b, domain="city-b.example", actor=OPERATOR)


def _fresh(account: Account) -> Account:
    return Account.objects.get(pk=account.pk)


def _slugs(account: Account) -> list[str]:
    return sorted(o.slug for o in account_civil_servant_organisations(account=account))


def test_verifying_a_work_address_makes_a_citizen_a_civil_servant_and_removing_it_undoes_it(
    world, domains, after_commit
):
    person = make_person(key="worker", email="worker@home.example")
    client = client_for(None, person=person)
    assert not account_is_civil_servant(account=person.account)
    assert b"Citizen." in client.get("/accounts/profile/").content

    with after_commit():
        client.post("/accounts/emails/", {"email": "Worker@MINISTRY-A.example"})
    assert not account_is_civil_servant(account=person.account)  # not before it is verified

    client.post(link_in(mails_to("worker@ministry-a.example")[0]))
    assert account_is_civil_servant(account=_fresh(person.account))
    assert _slugs(person.account) == ["org-a"]  # from organisation A, not from B
    profile = client.get("/accounts/profile/").content.decode()
    assert "Civil servant" in profile and "Organisation A" in profile and "Organisation B" not in profile

    row = AccountEmail.objects.get(email__iexact="worker@ministry-a.example")
    assert client.post(f"/accounts/emails/{row.pk}/remove/").status_code == 302
    assert not account_is_civil_servant(account=person.account)  # at once
    assert b"Citizen." in client.get("/accounts/profile/").content


def test_deregistering_the_domain_makes_its_people_citizens_at_once(world, domains):
    person = make_person(key="staff", email="staff@ministry-a.example")  # verified by the platform's tooling
    assert _slugs(person.account) == ["org-a"]

    lifecycle.organisation_email_domain_remove(organisation=world.org_a, domain="ministry-a.example", actor=OPERATOR)

    assert not account_is_civil_servant(account=person.account)
    assert b"Citizen." in client_for(None, person=person).get("/accounts/profile/").content


def test_an_address_at_the_other_organisation_counts_for_that_one(world, domains):
    person = make_person(key="two_hats", email="two@ministry-a.example")
    AccountEmail.objects.create(account=person.account, email="two@city-b.example")
    assert _slugs(person.account) == ["org-a"]  # B's address is not verified yet

    AccountEmail.objects.filter(email="two@city-b.example").update(verified_at=timezone.now())
    assert _slugs(person.account) == ["org-a", "org-b"]

    citizen = world.citizen.account
    assert not account_is_civil_servant(account=citizen) and _slugs(citizen) == []


def test_an_unverified_address_never_counts_and_signing_up_with_one_is_not_enough(world, domains):
    account = account_sign_up(
        email="claims@ministry-a.example", display_name="Claims To Be", password=support.GOOD_PASSWORD
    )
    assert not account_is_civil_servant(account=account)


def test_an_organisation_pending_deletion_makes_nobody_a_civil_servant(world, domains):
    person = make_person(key="leaving", email="leaving@city-b.example")
    assert account_is_civil_servant(account=person.account)

    Organisation.objects.filter(pk=world.org_b.pk).update(status=Organisation.Status.PENDING_DELETION)
    assert not account_is_civil_servant(account=person.account)
    Organisation.objects.filter(pk=world.org_b.pk).update(status=Organisation.Status.SUSPENDED)
    assert account_is_civil_servant(account=person.account)  # suspended: still a government organisation
