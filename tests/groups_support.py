"""The groups' test world: civil servants of org A and org B (their organisations' e-mail domains
registered), a citizen, and a group made through the services.

The fixtures are offered to every test module by ``tests/conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from shared_apps.groups.models import Group, GroupMembership
from shared_apps.groups.services.groups import group_create
from shared_apps.groups.services.memberships import membership_add
from tenants.models import EmailDomain
from tenants.provisioning import organisation_create
from tests.harness.clients import client_for
from tests.harness.people import Person, make_person


@dataclass
class GroupWorld:
    """``a_member``, ``a_editor`` (org A), ``b_member`` (org B): civil servants; ``citizen``: none."""

    a_member: Person
    a_editor: Person
    b_member: Person
    citizen: Person

    def client(self, person: Person | None) -> Client:
        """Requests to the shared space, signed in as ``person`` (``None``: anonymous)."""
        return client_for(None, person=person)


@pytest.fixture
def civil_servants(world) -> GroupWorld:  # type: ignore[no-untyped-def]
    """Org A's and org B's staff are recognised as civil servants by their e-mail domains."""
    for organisation, domain in ((world.org_a, "org-a.example"), (world.org_b, "org-b.example")):
        EmailDomain.objects.get_or_create(organisation=organisation, domain=domain)
    return GroupWorld(a_member=world.a_member, a_editor=world.a_editor, b_member=world.b_member, citizen=world.citizen)


@pytest.fixture
def make_group(civil_servants):  # type: ignore[no-untyped-def]
    """``make_group(owner, members=[...], **settings)``: a group made by ``owner`` through the service."""

    def make(owner: Person, *, members: tuple[Person, ...] = (), name: str = "Test group", **settings: str) -> Group:
        group = group_create(creator=owner.account, name=name, purpose="For the tests.", **settings)
        for person in members:
            membership_add(group=group, account=person.account, role=GroupMembership.Role.MEMBER)
        return group

    return make


@pytest.fixture
def c_member(civil_servants) -> Person:  # type: ignore[no-untyped-def]
    """A civil servant of a third organisation, member of none of the tests' groups (org C is made for
    the test, its schema cloned, and rolled back with it)."""
    org_c = organisation_create(name="Organisation C", slug="org-c")
    EmailDomain.objects.create(organisation=org_c, domain="org-c.example")
    return make_person(key="c_member", email="member@org-c.example", roles={})
