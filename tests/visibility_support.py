"""Shared by the visibility tests (tests/test_visibility_pages.py, tests/test_visibility_channels.py)."""

from __future__ import annotations

from django.utils import timezone

from shared_apps.accounts.models import AccountEmail
from tenants.models import EmailDomain
from tests.harness.clients import client_for

LEVELS = ["organisation", "civil_servants", "public"]
#: viewer -> the levels it may see on org A's subsite
MAY_SEE = {
    "anonymous": {"public"},
    "citizen": {"public"},
    "civil_servant_of_b": {"public", "civil_servants"},
    "a_member": {"public", "civil_servants", "organisation"},
    "a_editor": {"public", "civil_servants", "organisation"},
}


def recognise_org_b_staff_as_civil_servants(world) -> None:  # type: ignore[no-untyped-def]
    """Org B's e-mail domain, and b_member's address at it verified: b_member is a civil servant."""
    EmailDomain.objects.create(organisation=world.org_b, domain="org-b.example")
    AccountEmail.objects.update_or_create(
        account=world.b_member.account, email=world.b_member.email, defaults={"verified_at": timezone.now()}
    )


def client_as(world, viewer: str):  # type: ignore[no-untyped-def]
    """A client on org A's subsite as one of the viewers of ``MAY_SEE``."""
    person = {
        "anonymous": None,
        "citizen": world.citizen,
        "civil_servant_of_b": world.b_member,
        "a_member": world.a_member,
        "a_editor": world.a_editor,
    }[viewer]
    return client_for(world.org_a, person=person)
