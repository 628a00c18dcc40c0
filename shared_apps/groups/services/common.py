"""What the group services share: who acts (for the audit trail), and refusing with a reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from shared_apps.accounts.models import Account
from tenants.audit import Actor


def actor_of(account: Account | None) -> Actor:
    return Actor(f"account:{account.email}") if account is not None else Actor.system("groups")


def refuse(message: str) -> PermissionDenied:
    """``PermissionDenied`` with a message a person can read (views show it)."""
    return PermissionDenied(message)
