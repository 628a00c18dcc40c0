"""Writes to accounts. Side effects (tasks in other schemas) run after commit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from shared_apps.accounts.models import Account


def account_create(*, email: str, display_name: str, password: str | None = None) -> Account:
    """Create the platform account for a person. ``password=None`` leaves it unusable (invitation)."""
    email = (email or "").strip()
    display_name = (display_name or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [f"'{email}' is not a valid e-mail address."]
    if not display_name:
        errors["display_name"] = ["A display name is required."]
    if errors:
        raise ValidationError(errors)
    account = Account(email=normalise_email(email), display_name=display_name)
    account.set_password(password) if password else account.set_unusable_password()
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise ValidationError({"email": [f"An account with the e-mail address {email} already exists."]}) from exc
    return account


def account_update_profile(*, account: Account, display_name: str) -> Account:
    """Change a person's name, then bring every schema's local copy up to date in the background."""
    from tenant_apps.people.tasks import queue_local_user_sync

    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError({"display_name": ["A display name is required."]})
    with transaction.atomic():
        account.display_name = display_name
        account.save(update_fields=["display_name"])
        transaction.on_commit(lambda: queue_local_user_sync(account_id=account.pk))
    return account


def normalise_email(email: str) -> str:
    """Lower-case the domain part of an address (the local part is the mail server's business)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"
