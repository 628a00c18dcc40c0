"""One account per person in the public schema; a local user per schema carries Wagtail's permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.accounts.models import Account, LocalUserLink
from shared_apps.accounts.selectors import account_linked_schemas
from shared_apps.accounts.services.accounts import account_create
from shared_apps.people.models import User
from shared_apps.people.services import local_user_for_account
from tenant_apps.members.selectors import role_of
from tenant_apps.members.services import membership_set_role
from tenants.roles import Role
from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db


def test_accounts_live_in_the_public_schema_only(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'accounts_account' ORDER BY 1"
        )
        assert [row[0] for row in cursor.fetchall()] == ["public"]
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'people_user' "
            "AND table_schema IN ('public', 'org_a', 'org_b') ORDER BY 1"
        )
        assert [row[0] for row in cursor.fetchall()] == ["org_a", "org_b", "public"]


def test_one_account_has_a_linked_local_user_in_each_organisation_it_entered(world):
    person = world.a_editor_b_member
    user_a = person.local_user(world.org_a)
    user_b = person.local_user(world.org_b)

    assert user_a.account_id == user_b.account_id == person.account.pk
    assert sorted(account_linked_schemas(account=person.account)) == ["org_a", "org_b"]
    assert not user_a.has_usable_password() and not user_b.has_usable_password()


def test_editor_in_org_a_is_a_plain_member_in_org_b(world):
    person = world.a_editor_b_member
    with tenant_context(world.org_a):
        user = User.objects.get(account_id=person.account.pk)
        assert role_of(user=user) == Role.EDITOR
        assert user.has_perm("wagtailadmin.access_admin")
    with tenant_context(world.org_b):
        user = User.objects.get(account_id=person.account.pk)
        assert role_of(user=user) == Role.MEMBER
        assert not user.has_perm("wagtailadmin.access_admin")


def test_roles_change_only_in_the_schema_where_they_are_set(world):
    person = world.a_editor_b_member
    with tenant_context(world.org_b):
        membership_set_role(user=User.objects.get(account_id=person.account.pk), role=Role.ADMINISTRATOR)
    with tenant_context(world.org_a):
        user = User.objects.get(account_id=person.account.pk)
        assert role_of(user=user) == Role.EDITOR and not user.is_superuser
    with tenant_context(world.org_b):
        user = User.objects.get(account_id=person.account.pk)
        assert role_of(user=user) == Role.ADMINISTRATOR and user.is_superuser


def test_sign_in_checks_the_account_password_and_creates_the_local_user_on_first_visit(world):
    citizen = world.citizen
    with tenant_context(world.org_b):
        assert not User.objects.filter(account_id=citizen.account.pk).exists()
        user = authenticate(username=citizen.email, password=citizen.password)
        assert user is not None and user.account_id == citizen.account.pk
        assert role_of(user=user) is None  # signed in, but a member of nothing
    with tenant_context(world.org_a):
        assert not User.objects.filter(account_id=citizen.account.pk).exists()  # B's visit did not touch A


@pytest.mark.parametrize("password", ["wrong", "", "Correct horse battery staple"])
def test_sign_in_with_a_wrong_password_fails_everywhere(world, password):
    for organisation in (world.org_a, world.org_b):
        with tenant_context(organisation):
            assert authenticate(username=world.a_member.email, password=password) is None


def test_local_password_is_never_accepted(world):
    with tenant_context(world.org_a):
        user = User.objects.get(account_id=world.a_member.account.pk)
        user.set_password("local-password-123")
        user.save()
        assert authenticate(username=user.email, password="local-password-123") is None


def test_inactive_account_cannot_sign_in(world):
    Account.objects.filter(pk=world.a_member.account.pk).update(is_active=False)
    with tenant_context(world.org_a):
        assert authenticate(username=world.a_member.email, password=world.a_member.password) is None


def test_the_subsite_admin_sign_in_still_checks_the_platform_account(world):
    """``authenticate`` on a subsite checks the platform account, never a local password; Wagtail's own
    admin sign-in form takes no password at all (issue 13 #12: off to the sign-on flow)."""
    with tenant_context(world.org_a):
        user = authenticate(username=world.a_editor.email, password=world.a_editor.password)
        assert user is not None and user.account_id == world.a_editor.account.pk
    client = client_for(world.org_a)
    response = client.post(
        "/admin/login/", {"username": world.a_editor.email, "password": world.a_editor.password, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302  # not signed in


def test_email_is_unique_ignoring_case_and_validated(world):
    with pytest.raises(ValidationError) as duplicate:
        account_create(email=world.a_member.email.upper(), display_name="Someone", password="x" * 12)
    assert "already exists" in str(duplicate.value)
    with pytest.raises(ValidationError) as bad:
        account_create(email="not-an-address", display_name="", password="x" * 12)
    assert set(bad.value.message_dict) == {"email", "display_name"}


def test_deleting_an_account_leaves_local_users_for_schema_by_schema_cleanup(world):
    person = world.a_editor_b_member
    account_id = person.account.pk
    Account.objects.get(pk=account_id).delete()  # must not look for organisation tables in public

    assert not LocalUserLink.objects.filter(account_id=account_id).exists()
    for organisation in (world.org_a, world.org_b):
        with tenant_context(organisation):
            assert User.objects.filter(account_id=account_id).exists()


def test_deleting_a_local_user_in_the_public_schema_works(world):
    user = local_user_for_account(account=world.citizen.account)  # the shared space's local user
    assert connection.schema_name == "public"
    user.delete()
    assert not User.objects.filter(pk=user.pk).exists()
