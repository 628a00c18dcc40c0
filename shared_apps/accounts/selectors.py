"""Reads about accounts."""

from __future__ import annotations

from uuid import UUID

from shared_apps.accounts.models import Account, LocalUserLink


def account_get(*, account_id: UUID | str) -> Account:
    return Account.objects.get(pk=account_id)


def account_find_by_email(*, email: str) -> Account | None:
    return Account.objects.filter(email__iexact=email.strip()).first()


def account_authenticate(*, email: str, password: str) -> Account | None:
    """The active account with this e-mail and password, or ``None`` (same cost either way)."""
    account = account_find_by_email(email=email or "")
    if account is None:
        Account().set_password(password)  # spend the hashing time anyway: no user enumeration by timing
        return None
    if not account.is_active or not account.check_password(password):
        return None
    return account


def account_linked_schemas(*, account: Account) -> list[str]:
    """The schemas that hold a local user for ``account`` (the public schema included, if it does)."""
    return list(LocalUserLink.objects.filter(account=account).values_list("schema_name", flat=True))
