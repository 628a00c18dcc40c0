"""Writes to local users in the current schema (the caller chooses the schema)."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from shared_apps.accounts.models import Account, LocalUserLink
from shared_apps.people.models import User
from tenants import organisation_hooks


def _split_name(display_name: str) -> tuple[str, str]:
    first, _, last = display_name.strip().partition(" ")
    return first[:150], last[:150]


def local_user_for_account(*, account: Account) -> User:
    """The local user of ``account`` in the current schema, created and linked on first use.

    On the first arrival, the organisation-side apps registered for ``local_user_created`` apply what
    awaits the person there (an open invitation, automatic joining of staff), in the same transaction.
    Two first arrivals at once get the same local user (the one that lost the race reads the winner's).
    """
    user = User.objects.filter(account_id=account.pk).first()
    if user is not None:
        return user
    first, last = _split_name(account.display_name)
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the caller's transaction usable
            user = User.objects.create_user(email=account.email, account=account, first_name=first, last_name=last)
            LocalUserLink.objects.get_or_create(
                account=account, schema_name=connection.schema_name, defaults={"local_user_id": user.pk}
            )
            organisation_hooks.local_user_created.call_all(user=user, account=account)
    except IntegrityError:
        # Two first arrivals at once (silent sign-in in two tabs): the other one made it; use that.
        user = User.objects.filter(account_id=account.pk).first()
        if user is None:
            raise
    return user


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
