"""Reads about local users in the current schema (roles and memberships: ``tenant_apps.members.selectors``)."""

from __future__ import annotations

from shared_apps.people.models import User


def local_user_for_account_id(*, account_id: object) -> User | None:
    return User.objects.filter(account_id=account_id).first()
