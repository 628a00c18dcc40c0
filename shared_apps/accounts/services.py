"""Writes to accounts. Side effects (tasks in other schemas) run after commit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from shared_apps.accounts.models import Account, Invitation


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


def invitation_create(*, organisation, email: str, role: str, actor) -> Invitation:  # type: ignore[no-untyped-def]
    """Invite ``email`` to ``organisation`` with ``role``; the e-mail goes out after commit.

    The role is applied when the person first signs in to that organisation's subsite (see
    ``tenant_apps.people.services.local_user_for_account``), whether the account exists yet or not.
    """
    from django.conf import settings as django_settings
    from django.core.mail import send_mail

    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": [f"'{email}' is not a valid e-mail address."]}) from exc
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=normalise_email(email), organisation=organisation, role=str(role), invited_by=actor.label
            )
    except IntegrityError as exc:
        raise ValidationError({"email": [f"{email} already has an open invitation to {organisation.name}."]}) from exc
    host = organisation.primary_host()
    port = django_settings.PLATFORM_PORT
    suffix = "" if port in (80, 443) else f":{port}"
    link = f"{django_settings.PLATFORM_SCHEME}://{host}{suffix}/accounts/login/"
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to {organisation.name} on GovSquare",
            message=f"You have been invited to {organisation.name} as {role}.\nSign in here: {link}\n",
            from_email=None,
            recipient_list=[invitation.email],
        )
    )
    return invitation
