"""Reads about local users in the current schema."""

from __future__ import annotations

from tenant_apps.people.models import User
from tenant_apps.people.roles import ROLE_GROUPS, Role


def local_user_for_account_id(*, account_id: object) -> User | None:
    return User.objects.filter(account_id=account_id).first()


def role_of(*, user: User) -> Role | None:
    """The highest role ``user`` holds in the current schema, or ``None`` if not a member."""
    names = set(user.groups.values_list("name", flat=True))
    for role in (Role.ADMINISTRATOR, Role.EDITOR, Role.MEMBER):
        if set(ROLE_GROUPS[role]) <= names:
            return role
    return None
