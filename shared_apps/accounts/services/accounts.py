"""Writes to accounts: creating one (by platform tooling, or a person signing up) and changing the profile.

Side effects (tasks in other schemas, e-mails) run after commit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.accounts.selectors import account_holding_address
from shared_apps.accounts.services.addresses import account_email_verification_send, clean_address, normalise_email
from shared_apps.accounts.services.passwords import password_problems
from shared_apps.accounts.signals import account_changed

PROFILE_PHOTO_MAX_BYTES = 5 * 1024 * 1024


def account_create(
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    email_verified: bool = True,
    language: str | None = None,
) -> Account:
    """Create the platform account for a person, with its primary ``AccountEmail``. ``password=None``
    leaves the password unusable (invitation).

    For platform tooling (demo data, operators, tests), which vouches for the address:
    ``email_verified`` defaults to ``True``. Self-service sign-up goes through ``account_sign_up``,
    which passes ``False``: the address counts (invitations, civil-servant status) only once its owner
    has followed the verification link. ``language`` (one of ``LANGUAGES``) is the person's language for
    the interface; without one, the account takes the platform's language (``LANGUAGE_CODE``).
    """
    email = (email or "").strip()
    display_name = (display_name or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("'%(email)s' is not a valid e-mail address.") % {"email": email}]
    if not display_name:
        errors["display_name"] = [_("A display name is required.")]
    if errors:
        raise ValidationError(errors)
    account = Account(email=normalise_email(email), display_name=display_name)
    account.language = language if language in _account_languages() else account_default_language()
    account.set_password(password) if password else account.set_unusable_password()
    try:
        with transaction.atomic():
            account.save()
            AccountEmail.objects.create(
                account=account,
                email=account.email,
                is_primary=True,
                verified_at=timezone.now() if email_verified else None,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"email": [_("An account with the e-mail address %(email)s already exists.") % {"email": email}]}
        ) from exc
    return account


def account_sign_up(
    *, email: str, display_name: str, password: str, email_verified: bool = False, language: str | None = None
) -> Account:
    """A person makes an account with an e-mail address and a password (Django's password validators).

    The primary address stays unverified, and a verification link goes out after commit, unless
    ``email_verified`` (an invitation link already proved the address). ``language``: the language the
    person signed up in (the interface's language for them from then on).
    """

    errors: dict[str, list[str]] = {}
    try:
        email = clean_address(email)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if account_holding_address(email=email) is not None:
            errors["email"] = [
                _(
                    "An account with the e-mail address %(email)s already exists. Sign in, or reset your password "
                    "if you have forgotten it."
                )
                % {"email": email}
            ]
    display_name = (display_name or "").strip()
    if not display_name:
        errors["display_name"] = [_("A display name is required.")]
    elif len(display_name) > 150:
        errors["display_name"] = [_("Keep the display name to 150 characters.")]
    problems = password_problems(password=password, account=Account(email=email, display_name=display_name))
    if problems:
        errors["password"] = problems
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        account = account_create(
            email=email, display_name=display_name, password=password, email_verified=email_verified, language=language
        )
        if not email_verified:
            account_email_verification_send(account_email=account.emails.get(is_primary=True))
    return account


def account_update_profile(
    *,
    account: Account,
    display_name: str,
    job_title: str | None = None,
    bio: str | None = None,
    profile_public: bool | None = None,
    language: str | None = None,
    photo: Any = None,
    remove_photo: bool = False,
) -> Account:
    """Change a person's profile (``None`` leaves a field as it is); a new name reaches every schema's
    local copy in the background, after commit."""

    display_name = (display_name or "").strip()
    errors: dict[str, list[str]] = {}
    if not display_name:
        errors["display_name"] = [_("A display name is required.")]
    elif len(display_name) > 150:
        errors["display_name"] = [_("Keep the display name to 150 characters.")]
    if job_title is not None and len(job_title.strip()) > 150:
        errors["job_title"] = [_("Keep the job title to 150 characters.")]
    if bio is not None and len(bio.strip()) > 2000:
        errors["bio"] = [_("Keep the text about yourself to 2000 characters.")]
    languages = _account_languages()
    if language is not None and language not in languages:
        errors["language"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(languages.values())}]
    if photo is not None and getattr(photo, "size", 0) > PROFILE_PHOTO_MAX_BYTES:
        errors["photo"] = [
            _("The photo is larger than %(megabytes)s MB.") % {"megabytes": PROFILE_PHOTO_MAX_BYTES // (1024 * 1024)}
        ]
    if errors:
        raise ValidationError(errors)
    fields = ["display_name"]
    with transaction.atomic():
        stored_name = Account.objects.filter(pk=account.pk).values_list("display_name", flat=True).first()
        account.display_name = display_name
        for name, value in (("job_title", job_title), ("bio", bio)):
            if value is not None:
                setattr(account, name, value.strip())
                fields.append(name)
        if profile_public is not None:
            account.profile_public = bool(profile_public)
            fields.append("profile_public")
        if language is not None:
            account.language = language
            fields.append("language")
        if remove_photo and account.photo:
            old_photo = account.photo.name
            account.photo = ""
            fields.append("photo")
            transaction.on_commit(lambda: default_storage.delete(old_photo))
        if photo is not None:
            replaced = account.photo.name if account.photo and not remove_photo else ""
            account.photo.save(photo.name, photo, save=False)
            fields.append("photo")
            if replaced:
                transaction.on_commit(lambda: default_storage.delete(replaced))
        account.save(update_fields=sorted(set(fields)))
        if stored_name != display_name:
            transaction.on_commit(lambda: account_changed.send(sender=Account, account_id=account.pk))
    return account


def _account_languages() -> dict[str, str]:
    return dict(Account._meta.get_field("language").choices)


def account_default_language() -> str:
    """The language of a new account that chose none: the platform's (``LANGUAGE_CODE``), when accounts offer it."""

    platform = settings.LANGUAGE_CODE
    return platform if platform in _account_languages() else str(Account._meta.get_field("language").default)
