"""Memberships of an organisation: auto-join, join requests, invitations, roles, removal, the admin's
"Members" screens, and platform operators entering an organisation's admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.models import Account, AccountEmail, Invitation, JoinRequest
from shared_apps.people.models import User
from shared_apps.people.services import local_user_for_account
from tenant_apps.members import memberships, operator_access
from tenant_apps.members.operator_access import SESSION_KEY
from tenant_apps.members.selectors import role_of
from tenants.audit import Actor
from tenants.models import AuditEvent, EmailDomain
from tenants.roles import Role
from tests.accounts_support import account_mails_inline  # noqa: F401 (autouse: the e-mails' task runs when queued)
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

ADMIN = Actor("test:admin")


def _role(person, organisation):  # type: ignore[no-untyped-def]
    with tenant_context(organisation):
        user = User.objects.filter(account_id=person.account.pk).first()
        return role_of(user=user) if user is not None else None


def _user_id(person, organisation) -> int:  # type: ignore[no-untyped-def]
    return person.local_user(organisation).pk


def _events(action: str, organisation) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(AuditEvent.objects.filter(action=action, organisation_slug=organisation.slug))


def _with_addresses(person, *addresses: tuple[str, bool]):  # type: ignore[no-untyped-def]
    """Give ``person`` exactly these e-mail addresses (address, verified), the first one primary."""
    AccountEmail.objects.filter(account=person.account).delete()
    for index, (address, verified) in enumerate(addresses):
        AccountEmail.objects.create(
            account=person.account,
            email=address,
            is_primary=index == 0,
            verified_at=timezone.now() if verified else None,
        )
    return person


# --- Auto-join -------------------------------------------------------------------------------------------


def test_staff_with_a_verified_address_at_the_domain_join_on_arrival_and_only_there(world):
    EmailDomain.objects.create(organisation=world.org_a, domain="staff-a.example")
    person = _with_addresses(
        make_person(key="staff", email="new.colleague@staff-a.example"), ("new.colleague@staff-a.example", True)
    )

    assert _role(person, world.org_a) is None  # no local user yet
    person.local_user(world.org_a)  # first arrival
    person.local_user(world.org_b)

    assert _role(person, world.org_a) == Role.MEMBER
    assert _role(person, world.org_b) is None  # and from the other organisation: nothing
    [event] = _events("membership.auto_join", world.org_a)
    assert event.outcome == "success" and event.detail["email"] == "new.colleague@staff-a.example"
    assert _events("membership.auto_join", world.org_b) == []


@pytest.mark.parametrize("case", ["unverified", "other_domain", "organisation_says_no"])
def test_no_auto_join_without_a_verified_address_at_the_domain_or_when_switched_off(world, case):
    EmailDomain.objects.create(organisation=world.org_a, domain="staff-a.example")
    if case == "organisation_says_no":
        world.org_a.auto_join_staff = False
        world.org_a.save(update_fields=["auto_join_staff"])
    address = "someone@elsewhere.example" if case == "other_domain" else "someone@staff-a.example"
    person = _with_addresses(make_person(key=case, email=address), (address, case != "unverified"))

    person.local_user(world.org_a)

    assert _role(person, world.org_a) is None
    assert _events("membership.auto_join", world.org_a) == []


def test_a_verified_second_address_counts_too(world):
    EmailDomain.objects.create(organisation=world.org_b, domain="staff-b.example")
    person = _with_addresses(
        make_person(key="two", email="private@mail.example"),
        ("private@mail.example", True),
        ("work@Staff-B.example", True),
    )
    person.local_user(world.org_b)
    person.local_user(world.org_a)
    assert (_role(person, world.org_b), _role(person, world.org_a)) == (Role.MEMBER, None)


def test_auto_join_leaves_the_role_of_an_invitation_alone(world):
    EmailDomain.objects.create(organisation=world.org_a, domain="staff-a.example")
    memberships.membership_invite(organisation=world.org_a, email="boss@staff-a.example", role="editor", actor=ADMIN)
    person = _with_addresses(make_person(key="boss", email="boss@staff-a.example"), ("boss@staff-a.example", True))
    person.local_user(world.org_a)
    assert _role(person, world.org_a) == Role.EDITOR
    assert _events("membership.auto_join", world.org_a) == []


# --- Join requests ---------------------------------------------------------------------------------------


def test_a_signed_in_outsider_asks_to_join_once_and_the_administrator_approves(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    citizen = world.citizen
    client = client_for(world.org_a, person=citizen)
    page = client.get("/join/")
    assert page.status_code == 200 and b"Request to join" in page.content

    response = client.post("/join/", {"message": "I work on the housing project."})
    assert response.status_code == 302 and response["Location"] == "/join/"
    assert b"an administrator of Organisation A will decide" in client.get("/join/").content
    again = client.post("/join/", {"message": "again"})
    assert again.status_code == 400 and b"already asked to join Organisation A" in again.content
    assert JoinRequest.objects.filter(account=citizen.account, organisation=world.org_a).count() == 1
    with pytest.raises(ValidationError, match="already asked"):
        memberships.join_request_create(organisation=world.org_a, account=citizen.account)

    join_request = JoinRequest.objects.get(account=citizen.account, organisation=world.org_a)
    admin = client_for(world.org_a, person=world.a_admin)
    listing = admin.get("/admin/members/")
    assert b"I work on the housing project." in listing.content
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/members/requests/{join_request.pk}/approve/")
    assert response.status_code == 302

    join_request.refresh_from_db()
    assert join_request.status == "approved" and join_request.decided_by == f"account:{world.a_admin.email}"
    assert _role(citizen, world.org_a) == Role.MEMBER
    assert _role(citizen, world.org_b) is None  # and from the other organisation: nothing
    assert [m.to for m in mailoutbox] == [[citizen.email]]
    assert client.get("/people/").status_code == 200  # the same session, now a member
    assert {e.action for e in AuditEvent.objects.filter(organisation_slug="org-a")} >= {
        "membership.join_request.create",
        "membership.join_request.approve",
    }
    assert not AuditEvent.objects.filter(organisation_slug="org-b", action__startswith="membership.").exists()


def test_a_refused_person_stays_out_and_may_ask_again(world):
    join_request = memberships.join_request_create(organisation=world.org_a, account=world.citizen.account)
    memberships.join_request_refuse(organisation=world.org_a, join_request_id=join_request.pk, actor=ADMIN)

    join_request.refresh_from_db()
    assert join_request.status == "refused" and _role(world.citizen, world.org_a) is None
    with pytest.raises(ValidationError, match="already refused"):
        memberships.join_request_approve(organisation=world.org_a, join_request_id=join_request.pk, actor=ADMIN)
    assert _role(world.citizen, world.org_a) is None
    memberships.join_request_create(organisation=world.org_a, account=world.citizen.account)  # a new request


def test_members_cannot_ask_and_requests_of_one_organisation_cannot_be_decided_in_another(world):
    with pytest.raises(ValidationError, match="already a member"):
        memberships.join_request_create(organisation=world.org_a, account=world.a_member.account)
    join_request = memberships.join_request_create(organisation=world.org_a, account=world.b_member.account)

    with pytest.raises(ValidationError, match="no request to join Organisation B"):
        memberships.join_request_approve(organisation=world.org_b, join_request_id=join_request.pk, actor=ADMIN)
    b_admin = make_person(key="b_admin", email="admin@org-b.example", roles={world.org_b: Role.ADMINISTRATOR})
    response = client_for(world.org_b, person=b_admin).post(f"/admin/members/requests/{join_request.pk}/approve/")
    assert response.status_code == 302

    join_request.refresh_from_db()
    assert join_request.status == "pending"
    assert _role(world.b_member, world.org_a) is None
    refusals = _events("membership.join_request.approve", world.org_b)  # the call above, then the admin's
    assert [e.outcome for e in refusals] == ["failure", "failure"]
    assert _events("membership.join_request.approve", world.org_a) == []


def test_anonymous_visitors_are_sent_to_sign_in_before_asking(world):
    response = client_for(world.org_a).get("/join/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Invitations -----------------------------------------------------------------------------------------


def test_administrator_invites_resends_and_revokes_in_the_admin(world, mailoutbox, django_capture_on_commit_callbacks):
    admin = client_for(world.org_a, person=world.a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/admin/members/invitations/", {"email": "New.Person@Example.org", "role": "editor"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(organisation=world.org_a, email__iexact="new.person@example.org")
    assert invitation.role == "editor" and len(mailoutbox) == 1
    assert b"New.Person@example.org" in admin.get("/admin/members/").content

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/admin/members/invitations/{invitation.pk}/resend/")
    [resent] = Invitation.objects.filter(organisation=world.org_a, email__iexact="new.person@example.org")
    assert resent.pk != invitation.pk and resent.role == "editor" and len(mailoutbox) == 2

    admin.post(f"/admin/members/invitations/{resent.pk}/revoke/")
    assert not Invitation.objects.filter(organisation=world.org_a, email__iexact="new.person@example.org").exists()
    assert [e.action for e in AuditEvent.objects.filter(organisation_slug="org-a").order_by("id")][-3:] == [
        "membership.invite",
        "membership.invitation.resend",
        "membership.invitation.revoke",
    ]


def test_invitations_of_another_organisation_are_out_of_reach(world):
    invitation = memberships.membership_invite(
        organisation=world.org_b, email="x@example.org", role="member", actor=ADMIN
    )
    admin = client_for(world.org_a, person=world.a_admin)
    admin.post(f"/admin/members/invitations/{invitation.pk}/revoke/")
    admin.post(f"/admin/members/invitations/{invitation.pk}/resend/")
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert b"x@example.org" not in admin.get("/admin/members/").content
    with pytest.raises(ValidationError, match="no invitation to Organisation A"):
        memberships.invitation_revoke(organisation=world.org_a, invitation_id=invitation.pk, actor=ADMIN)


def test_inviting_a_member_is_refused_with_a_reason_and_bad_input_shows_on_the_form(world):
    admin = client_for(world.org_a, person=world.a_admin)
    response = admin.post("/admin/members/invitations/", {"email": world.a_member.email, "role": "member"})
    assert response.status_code == 400 and b"already a member of Organisation A" in response.content
    response = admin.post("/admin/members/invitations/", {"email": "not-an-address", "role": "boss"})
    assert response.status_code == 400
    assert not Invitation.objects.filter(organisation=world.org_a).exists()


def test_an_invitation_to_someone_who_was_here_before_is_accepted_on_the_join_page(world):
    citizen = _with_addresses(world.citizen, (world.citizen.email, False))
    client = client_for(world.org_b, person=citizen)  # has a local user in B, a member of nothing
    memberships.membership_invite(organisation=world.org_b, email=citizen.email, role="editor", actor=ADMIN)
    # Only a verified address proves the invitation is theirs.
    assert b"invited to join" not in client.get("/join/").content
    assert client.post("/join/accept/").status_code == 400 and _role(citizen, world.org_b) is None
    AccountEmail.objects.filter(account=citizen.account).update(verified_at=timezone.now())
    assert b"invited to join as editor" in client.get("/join/").content

    response = client.post("/join/accept/")
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert _role(citizen, world.org_b) == Role.EDITOR and _role(citizen, world.org_a) is None


# --- Roles and removal -----------------------------------------------------------------------------------


def test_administrator_changes_a_role_and_it_counts_on_the_next_request(world):
    member_client = client_for(world.org_a, person=world.a_member)
    assert member_client.get("/admin/").status_code == 302

    response = client_for(world.org_a, person=world.a_admin).post(
        f"/admin/members/{_user_id(world.a_member, world.org_a)}/role/", {"role": "editor"}
    )
    assert response.status_code == 302
    assert _role(world.a_member, world.org_a) == Role.EDITOR
    assert member_client.get("/admin/").status_code == 200
    [event] = _events("membership.role.change", world.org_a)
    assert event.detail["previous_role"] == "member" and event.detail["role"] == "editor"
    assert _events("membership.role.change", world.org_b) == []


def test_removing_a_member_takes_effect_on_the_next_request_of_a_signed_in_client(world):
    person = world.a_editor_b_member
    client = client_for(world.org_a, person=person)
    assert client.get("/admin/").status_code == 200
    assert client.get("/people/").status_code == 200

    response = client_for(world.org_a, person=world.a_admin).post(
        f"/admin/members/{_user_id(person, world.org_a)}/remove/"
    )
    assert response.status_code == 302

    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/people/").status_code == 403
    with tenant_context(world.org_a):
        user = User.objects.get(account_id=person.account.pk)
        assert list(user.groups.all()) == [] and not user.is_superuser and not user.is_staff
    assert _role(person, world.org_b) == Role.MEMBER  # and in the other organisation: still a member
    assert client_for(world.org_b, person=person).get("/people/").status_code == 200
    [event] = _events("membership.remove", world.org_a)
    assert event.detail["email"] == person.email


def test_the_last_administrator_can_be_neither_demoted_nor_removed(world):
    admin_id = _user_id(world.a_admin, world.org_a)
    client = client_for(world.org_a, person=world.a_admin)

    client.post(f"/admin/members/{admin_id}/role/", {"role": "editor"})
    client.post(f"/admin/members/{admin_id}/remove/")
    with pytest.raises(ValidationError, match="last administrator of Organisation A"):
        memberships.membership_remove(organisation=world.org_a, user_id=admin_id, actor=ADMIN)

    assert _role(world.a_admin, world.org_a) == Role.ADMINISTRATOR
    failures = [e for e in AuditEvent.objects.filter(organisation_slug="org-a") if e.outcome == "failure"]
    assert {e.action for e in failures} == {"membership.role.change", "membership.remove"}
    assert "last administrator" in failures[0].detail["error"]

    # With a second administrator, the first may step down.
    memberships.membership_change_role(
        organisation=world.org_a, user_id=_user_id(world.a_editor, world.org_a), role="administrator", actor=ADMIN
    )
    client.post(f"/admin/members/{admin_id}/role/", {"role": "member"})
    assert _role(world.a_admin, world.org_a) == Role.MEMBER


def test_roles_are_changed_only_for_members_of_this_organisation(world):
    outsider_id = _user_id(world.b_member, world.org_a)  # a local user in A, but no member there
    with pytest.raises(ValidationError, match="no member of Organisation A"):
        memberships.membership_change_role(organisation=world.org_a, user_id=outsider_id, role="editor", actor=ADMIN)
    with pytest.raises(ValidationError, match="not a role"):
        memberships.membership_change_role(
            organisation=world.org_a, user_id=_user_id(world.a_member, world.org_a), role="owner", actor=ADMIN
        )
    assert _role(world.b_member, world.org_a) is None and _role(world.b_member, world.org_b) == Role.MEMBER


def test_services_leave_the_callers_schema_in_place(world):
    with tenant_context(world.org_b):
        memberships.membership_change_role(
            organisation=world.org_a, user_id=_user_id(world.a_member, world.org_a), role="editor", actor=ADMIN
        )
        assert connection.schema_name == "org_b"


# --- The "Members" screens -------------------------------------------------------------------------------


def test_members_menu_and_screens_are_for_administrators_of_that_organisation_only(world):
    admin = client_for(world.org_a, person=world.a_admin)
    assert b"/admin/members/" in admin.get("/admin/").content
    listing = admin.get("/admin/members/")
    assert listing.status_code == 200
    assert world.a_member.email.encode() in listing.content
    assert world.b_member.email.encode() not in listing.content  # only this organisation's members

    editor = client_for(world.org_a, person=world.a_editor)
    assert b"/admin/members/" not in editor.get("/admin/").content
    response = editor.get("/admin/members/")
    assert response.status_code == 302 and response["Location"] == "/admin/"  # Wagtail's "no permission"
    editor.post(f"/admin/members/{_user_id(world.a_member, world.org_a)}/role/", {"role": "administrator"})
    assert _role(world.a_member, world.org_a) == Role.MEMBER

    for key in ("a_member", "citizen", "b_member"):
        response = client_for(world.org_a, person=world.people[key]).get("/admin/members/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # The editor of A who is a member of B gets nowhere in B's admin either.
    response = client_for(world.org_b, person=world.a_editor_b_member).get("/admin/members/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Platform operators ----------------------------------------------------------------------------------


@pytest.fixture
def operator(world):  # type: ignore[no-untyped-def]
    person = make_person(key="operator", email="operator@govsquare.example")
    Account.objects.filter(pk=person.account.pk).update(is_platform_operator=True)
    person.account.refresh_from_db()
    return person


def test_an_operator_enters_an_organisations_admin_and_each_entry_is_audited_once_per_session(world, operator):
    client = client_for(world.org_a, person=operator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/pages/").status_code == 200
    with tenant_context(world.org_a):  # sessions live in the organisation's schema
        assert client.session[SESSION_KEY] is True

    [entry] = _events("operator.admin.enter", world.org_a)
    assert entry.actor == "operator:operator@govsquare.example" and entry.outcome == "success"
    assert _events("operator.admin.enter", world.org_b) == []  # not in the other organisation's trail

    assert client_for(world.org_b, person=operator).get("/admin/").status_code == 200  # a new session, in B
    assert len(_events("operator.admin.enter", world.org_b)) == 1
    assert len(_events("operator.admin.enter", world.org_a)) == 1

    with tenant_context(world.org_a):  # nothing about the grant was written to the organisation
        user = User.objects.get(account_id=operator.account.pk)
        assert not user.is_superuser and role_of(user=user) is None


def test_the_operator_grant_ends_with_the_operator_role_and_others_gain_nothing(world, operator):
    client = client_for(world.org_a, person=operator)
    assert client.get("/admin/").status_code == 200
    Account.objects.filter(pk=operator.account.pk).update(is_platform_operator=False)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    assert client_for(world.org_a, person=world.citizen).get("/admin/").status_code == 302
    administrators = client_for(world.org_a, person=world.a_admin)
    assert administrators.get("/admin/").status_code == 200
    assert len(_events("operator.admin.enter", world.org_a)) == 1


def test_an_operators_request_only_superuser_flag_is_never_saved(world, operator):
    with tenant_context(world.org_a):
        user = local_user_for_account(account=operator.account)
        user.is_superuser = True
        setattr(user, operator_access._ELEVATED, True)
        user.first_name = "Changed"
        user.save()
        assert user.is_superuser  # still let in for the rest of the request
        stored = User.objects.get(pk=user.pk)
        assert (stored.first_name, stored.is_superuser) == ("Changed", False)
