"""Writes to accounts: creating one (by platform tooling, or a person signing up) and changing the profile.

Side effects (tasks in other schemas, e-mails) run after commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.accounts.services.addresses import (
    account_email_verification_send,
    address_holder,
    clean_address,
    normalise_email,
    unverified_claims_release,
)
from shared_apps.accounts.services.passwords import password_problems
from shared_apps.accounts.signals import account_changed

PROFILE_PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHONE_MAX_LENGTH = 32
EXPERTISE_MAX_ITEMS = 20
EXPERTISE_ITEM_MAX_LENGTH = 50
_PHONE = re.compile(r"[0-9 +\-()]*")
_WHITESPACE = re.compile(r"\s+")


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
        if address_holder(email=email) is not None:
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
        unverified_claims_release(email=email)  # another account's unverified claim gives way to the owner
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
    team: str | None = None,
    phone: str | None = None,
    location: str | None = None,
    expertise: str | Iterable[str] | None = None,
) -> Account:
    """Change a person's profile (``None`` leaves a field as it is); a new name reaches every schema's
    local copy in the background, after commit.

    ``team``, ``phone``, ``location`` and ``expertise`` are filled in once for the platform and shown in the
    directory of every organisation the person is a member of. ``expertise`` is a comma-separated text or a
    list; it is stored normalised (``expertise_normalise``). Any bad field: every error at once, nothing saved.
    """

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
    for name, value, label in (("team", team, _("team")), ("location", location, _("location"))):
        if value is not None and len(value.strip()) > 150:
            errors[name] = [_("Keep the %(field)s to 150 characters.") % {"field": label}]
    if phone is not None and (problem := phone_problem(phone=phone)):
        errors["phone"] = [problem]
    expertise_items: list[str] | None = None
    if expertise is not None:
        try:
            expertise_items = expertise_normalise(expertise=expertise)
        except ValidationError as exc:
            errors["expertise"] = list(exc.messages)
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
        for name, value in (
            ("job_title", job_title),
            ("bio", bio),
            ("team", team),
            ("location", location),
            ("phone", phone),
        ):
            if value is not None:
                setattr(account, name, value.strip())
                fields.append(name)
        if expertise_items is not None:
            account.expertise = expertise_items
            fields.append("expertise")
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


def phone_problem(*, phone: str) -> str | None:
    """Why ``phone`` is not a phone number (checked loosely: digits, spaces, ``+ - ( )``), or None if it is one
    (an empty text is: no number)."""
    phone = phone.strip()
    if not phone:
        return None
    if len(phone) > PHONE_MAX_LENGTH or not _PHONE.fullmatch(phone) or not any(c.isdigit() for c in phone):
        return _(
            "Give a phone number of at most %(max)s characters, with only digits, spaces and the signs + - ( ), "
            "for example +31 30 123 45 67."
        ) % {"max": PHONE_MAX_LENGTH}
    return None


def expertise_normalise(*, expertise: str | Iterable[str]) -> list[str]:
    """The subjects of expertise as stored: split on commas (when given a text), spaces tidied, empty ones
    dropped, duplicates (in any case) kept once, in the order given. ``ValidationError`` (a list of messages)
    when there are more than ``EXPERTISE_MAX_ITEMS`` or one is longer than ``EXPERTISE_ITEM_MAX_LENGTH``."""
    parts = expertise.split(",") if isinstance(expertise, str) else [p for item in expertise for p in item.split(",")]
    items: list[str] = []
    seen: set[str] = set()
    for part in parts:
        item = _WHITESPACE.sub(" ", part).strip()
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    problems = []
    if len(items) > EXPERTISE_MAX_ITEMS:
        problems.append(
            _("Give at most %(max)s subjects of expertise (you gave %(count)s).")
            % {"max": EXPERTISE_MAX_ITEMS, "count": len(items)}
        )
    too_long = [item for item in items if len(item) > EXPERTISE_ITEM_MAX_LENGTH]
    if too_long:
        problems.append(
            _("Keep each subject of expertise to %(max)s characters; this one is longer: %(item)s")
            % {"max": EXPERTISE_ITEM_MAX_LENGTH, "item": _shortened(too_long[0])}
        )
    if problems:
        raise ValidationError(problems)
    return items


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _account_languages() -> dict[str, str]:
    return dict(Account._meta.get_field("language").choices)


def account_default_language() -> str:
    """The language of a new account that chose none: the platform's (``LANGUAGE_CODE``), when accounts offer it."""

    platform = settings.LANGUAGE_CODE
    return platform if platform in _account_languages() else str(Account._meta.get_field("language").default)
