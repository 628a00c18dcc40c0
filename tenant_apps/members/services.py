"""Writes of the members app: roles as groups, what awaits a person on arrival, operators' admin entries.

Memberships as administrators and people manage them (joining, invitations, role changes, removal, with
the audit trail): ``tenant_apps.members.memberships``.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from shared_apps.accounts.models import Account, Invitation
from shared_apps.accounts.selectors import account_verified_addresses
from shared_apps.people.models import User
from tenant_apps.members.roles import ROLE_GROUPS, ROLE_MANAGED_GROUPS
from tenants.audit import Actor, audited_in
from tenants.models import Organisation
from tenants.roles import Role


def membership_set_role(*, user: User, role: Role | None) -> User:
    """Give ``user`` exactly ``role`` in the current schema (``None`` removes the membership)."""
    wanted = set(ROLE_GROUPS[role]) if role else set()
    with transaction.atomic():
        groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_MANAGED_GROUPS)}
        missing = wanted - groups.keys()
        if missing:
            raise LookupError(f"This schema lacks the role groups {sorted(missing)}; is it migrated?")
        user.groups.remove(*[g for name, g in groups.items() if name not in wanted])
        user.groups.add(*[groups[name] for name in wanted])
        user.is_superuser = role == Role.ADMINISTRATOR
        user.save(update_fields=["is_superuser"])
    return user


def invitation_accept_on_arrival(*, user: User, account: Account) -> None:
    """Give the role of an open invitation to this organisation, the first time the person arrives.

    Only an invitation to an address the account has *verified* counts (anyone can sign up with
    any address), and only until it expires. Registered for ``local_user_created``.
    """
    addresses = account_verified_addresses(account=account)
    if not addresses:
        return
    invitation = (
        Invitation.objects.annotate(email_lower=Lower("email"))
        .filter(organisation__schema_name=connection.schema_name, email_lower__in=addresses, accepted_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .order_by("created_at")
        .first()
    )
    if invitation is None:
        return
    membership_set_role(user=user, role=Role(invitation.role))
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])


def operator_admin_entry_record(*, organisation: Organisation, account: Account, path: str = "") -> None:
    """Record in ``organisation``'s audit trail that a platform operator entered its Wagtail admin."""
    with audited_in(
        tenant=organisation,
        actor=Actor.operator(account.email),
        action="operator.admin.enter",
        account=str(account.pk),
        path=path[:500],
    ):
        pass
