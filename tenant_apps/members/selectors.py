"""Reads about an organisation's members in the current schema, and across organisation schemas.

Roles are Wagtail groups in each schema (``tenant_apps.members.roles``). The public side asks for roles
across schemas through the ``roles_of_accounts`` and ``administrator_counts`` hook points
(``tenants.organisation_hooks``), answered here in one query each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from shared_apps.accounts.models import Account, AccountEmail, Invitation, JoinRequest
from shared_apps.people.models import User
from shared_apps.shared_space.selectors import Profile, profiles_for
from tenant_apps.members.roles import ADMINISTRATORS_GROUP, MEMBERS_GROUP, role_from_group_names
from tenants.models import EmailDomain, Organisation
from tenants.organisation_hooks import OrganisationRole
from tenants.roles import Role
from tenants.schemas import in_public_schema, in_schema


def role_of(*, user: User) -> Role | None:
    """The highest role ``user`` holds in the current schema, or ``None`` if not a member."""
    return role_from_group_names(set(user.groups.values_list("name", flat=True)))


# --- Memberships of the current schema's organisation ---------------------------------------------


def is_member(*, user: object) -> bool:
    """A signed-in local user with a role (member, editor or administrator) in the current schema."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and role_of(user=user) is not None)  # type: ignore[attr-defined]


def is_administrator(*, user: object) -> bool:
    """A signed-in local user with the administrator role in the current schema (by groups, not by a
    superuser flag alone: a platform operator let into the admin is not an administrator)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and role_of(user=user) == Role.ADMINISTRATOR  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class Membership:
    user: User
    role: Role


def members_list() -> list[Membership]:
    """Every active local user with a role in the current schema, by name."""
    users = (
        User.objects.filter(is_active=True, groups__name=MEMBERS_GROUP)
        .distinct()
        .prefetch_related("groups")
        .order_by("first_name", "last_name", "email")
    )
    found = []
    for user in users:
        role = role_from_group_names({group.name for group in user.groups.all()})
        if role is not None:
            found.append(Membership(user=user, role=role))
    return found


def administrators_count() -> int:
    """Active administrators of the current schema's organisation."""
    return User.objects.filter(is_active=True, groups__name=ADMINISTRATORS_GROUP).distinct().count()


def account_has_verified_email_at_organisation(*, account: Account, organisation: Organisation) -> bool:
    """Whether ``account`` has a verified e-mail address at one of ``organisation``'s e-mail domains."""
    domains = {
        domain.lower()
        for domain in EmailDomain.objects.filter(organisation=organisation).values_list("domain", flat=True)
    }
    if not domains:
        return False
    addresses = AccountEmail.objects.filter(account=account, verified_at__isnull=False).values_list("email", flat=True)
    return any(address.rpartition("@")[2].lower() in domains for address in addresses)


def join_requests_pending(*, organisation: Organisation) -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(organisation=organisation, status=JoinRequest.Status.PENDING).select_related(
        "account"
    )


def join_request_pending_for(*, organisation: Organisation, account: Account) -> JoinRequest | None:
    return join_requests_pending(organisation=organisation).filter(account=account).first()


def invitations_open(*, organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True).order_by("email")


def invitations_acceptable_by(*, organisation: Organisation, account: Account) -> QuerySet[Invitation]:
    """Open, unexpired invitations to ``organisation`` addressed to an address the account has verified
    (anyone can sign up with any address: only a verified one proves the invitation is theirs)."""
    verified = [
        address.lower()
        for address in AccountEmail.objects.filter(account=account, verified_at__isnull=False).values_list(
            "email", flat=True
        )
    ]
    return (
        Invitation.objects.annotate(email_lower=Lower("email"))
        .filter(organisation=organisation, accepted_at__isnull=True, email_lower__in=verified)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .order_by("created_at")
    )


def invitation_open_for(*, organisation: Organisation, account: Account) -> Invitation | None:
    return invitations_acceptable_by(organisation=organisation, account=account).first()


# --- An organisation's directory ------------------------------------------------------------------


def organisation_directory(*, organisation: Organisation, viewer: User) -> list[Profile]:
    """The members of ``organisation``, for ``viewer`` (a local user of that organisation's schema).

    Raises ``PermissionDenied`` unless the viewer is a member (any role) of the organisation.
    """
    with in_schema(organisation):
        if not is_member(user=viewer):
            raise PermissionDenied(f"Only members of {organisation.name} see its people.")
        account_ids = list(
            User.objects.filter(is_active=True, groups__name=MEMBERS_GROUP, account__isnull=False)
            .values_list("account_id", flat=True)
            .distinct()
        )
    with in_public_schema():
        accounts = Account.objects.filter(pk__in=account_ids, is_active=True).order_by("display_name", "pk")
        return profiles_for(accounts=accounts, viewer=Account.objects.filter(pk=viewer.account_id).first())


# --- Across organisation schemas (the hook points the public side calls) ------------------------------

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _present_schemas(schema_names: Iterable[str]) -> list[str]:
    wanted = sorted({name for name in schema_names if _SCHEMA_NAME.fullmatch(name)} - {settings.PUBLIC_SCHEMA_NAME})
    if not wanted:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [wanted])
        return sorted(row[0] for row in cursor.fetchall())


def roles_of_accounts(
    *, account_ids: Iterable[UUID], schema_names: Iterable[str]
) -> dict[tuple[str, UUID], OrganisationRole]:
    """For each active local user of ``account_ids`` in the named organisation schemas: its role there.

    One ``UNION ALL`` query over the schemas that exist; a role given or taken away counts at once.
    """
    account_ids = list(account_ids)
    schemas = _present_schemas(schema_names)
    if not account_ids or not schemas:
        return {}
    quote = connection.ops.quote_name
    user_table, group_table = quote(User._meta.db_table), quote(Group._meta.db_table)
    through = User.groups.through._meta
    through_table = quote(through.db_table)
    user_column = quote(through.get_field("user").column)
    group_column = quote(through.get_field("group").column)
    parts, params = [], []
    for schema_name in schemas:
        schema = quote(schema_name)
        parts.append(
            f"SELECT %s, u.account_id, u.is_superuser, ARRAY(SELECT g.name FROM {schema}.{through_table} ug "
            f"JOIN {schema}.{group_table} g ON g.id = ug.{group_column} WHERE ug.{user_column} = u.id) "
            f"FROM {schema}.{user_table} u WHERE u.is_active AND u.account_id = ANY(%s)"
        )
        params += [schema_name, account_ids]
    found: dict[tuple[str, UUID], OrganisationRole] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for schema_name, account_id, is_superuser, group_names in cursor.fetchall():
            names = frozenset(group_names)
            found[(schema_name, account_id)] = OrganisationRole(
                role=role_from_group_names(names), administers=bool(is_superuser) or ADMINISTRATORS_GROUP in names
            )
    return found


def administrator_counts(*, schema_names: Iterable[str]) -> dict[str, int]:
    """The number of active administrators in each named organisation schema, in one query."""
    schemas = _present_schemas(schema_names)
    if not schemas:
        return {}
    quote = connection.ops.quote_name
    user_table, group_table = quote(User._meta.db_table), quote(Group._meta.db_table)
    through_table = quote(User.groups.through._meta.db_table)
    parts, params = [], []
    for schema_name in schemas:
        schema = quote(schema_name)
        parts.append(
            f"SELECT %s, COUNT(DISTINCT u.id) FROM {schema}.{user_table} u "
            f"JOIN {schema}.{through_table} ug ON ug.user_id = u.id "
            f"JOIN {schema}.{group_table} g ON g.id = ug.group_id "
            "WHERE u.is_active AND g.name = %s"
        )
        params += [schema_name, ADMINISTRATORS_GROUP]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {schema_name: count for schema_name, count in cursor.fetchall()}
