"""Writes to local users in the current schema (the caller chooses the schema)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import connection, transaction

from shared_apps.accounts.models import Account, LocalUserLink
from tenant_apps.people.models import User
from tenant_apps.people.roles import ROLE_GROUPS, ROLE_MANAGED_GROUPS, Role


def _split_name(display_name: str) -> tuple[str, str]:
    first, _, last = display_name.strip().partition(" ")
    return first[:150], last[:150]


def local_user_for_account(*, account: Account) -> User:
    """The local user of ``account`` in the current schema, created and linked on first use."""
    user = User.objects.filter(account_id=account.pk).first()
    if user is not None:
        return user
    first, last = _split_name(account.display_name)
    with transaction.atomic():
        user = User.objects.create_user(email=account.email, account=account, first_name=first, last_name=last)
        LocalUserLink.objects.get_or_create(
            account=account, schema_name=connection.schema_name, defaults={"local_user_id": user.pk}
        )
        _accept_open_invitations(user=user, account=account)
        _auto_join_staff(user=user, account=account)
    return user


def _auto_join_staff(*, user: User, account: Account) -> None:
    """Staff (a verified address at the organisation's e-mail domains) join as members, if it allows it."""
    from tenant_apps.people.memberships import membership_auto_join

    membership_auto_join(user=user, account=account)


def _accept_open_invitations(*, user: User, account: Account) -> None:
    """Give the role of an open invitation to this organisation, the first time the person arrives.

    Only an invitation to an address the account has *verified* counts (anyone can sign up with
    any address), and only until it expires.
    """
    from django.db.models import Q
    from django.db.models.functions import Lower
    from django.utils import timezone

    from shared_apps.accounts.models import Invitation
    from shared_apps.accounts.selectors import account_verified_addresses

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


def local_user_sync(*, account: Account) -> bool:
    """Copy the account's e-mail and name onto its local user in the current schema. ``True`` if changed."""
    user = User.objects.filter(account_id=account.pk).first()
    if user is None:
        return False
    first, last = _split_name(account.display_name)
    changed = (user.email, user.first_name, user.last_name) != (account.email, first, last)
    if changed:
        user.email, user.first_name, user.last_name = account.email, first, last
        user.save(update_fields=["email", "first_name", "last_name"])
    return changed


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
