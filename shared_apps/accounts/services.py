"""Writes to accounts. Side effects (tasks in other schemas) run after commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shared_apps.accounts.models import Account, AccountEmail, Invitation
from shared_apps.accounts.signals import account_changed


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
    from django.conf import settings as django_settings

    platform = django_settings.LANGUAGE_CODE
    return platform if platform in _account_languages() else str(Account._meta.get_field("language").default)


def normalise_email(email: str) -> str:
    """Lower-case the domain part of an address (the local part is the mail server's business)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def invitation_create(*, organisation, email: str, role: str, actor) -> Invitation:  # type: ignore[no-untyped-def]
    """Invite ``email`` to ``organisation`` with ``role``; the e-mail goes out after commit.

    The role is applied when the person first signs in to that organisation's subsite (see
    ``shared_apps.people.services.local_user_for_account``) with the invited address verified on
    their account. Someone without an account gets a sign-up link on the shared space carrying a
    random token (only its sha256 is stored); signing up through it verifies the invited address.
    The invitation expires after ``ACCOUNT_INVITATION_DAYS``; an expired open one is replaced.
    """
    from django.conf import settings as django_settings
    from django.utils.formats import date_format

    from shared_apps.accounts.mail import host_url, platform_url, send_after_commit
    from shared_apps.accounts.selectors import account_holding_address
    from shared_apps.accounts.tokens import invitation_token_new
    from tenants.roles import role_label

    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": [_("'%(email)s' is not a valid e-mail address.") % {"email": email}]}) from exc
    email = normalise_email(email)
    token, token_hash = invitation_token_new()
    now = timezone.now()
    try:
        with transaction.atomic():
            Invitation.objects.filter(
                organisation=organisation, email__iexact=email, accepted_at__isnull=True, expires_at__lte=now
            ).delete()
            invitation = Invitation.objects.create(
                email=email,
                organisation=organisation,
                role=str(role),
                invited_by=actor.label,
                token_hash=token_hash,
                expires_at=now + timedelta(days=getattr(django_settings, "ACCOUNT_INVITATION_DAYS", 14)),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "email": [
                    _("%(email)s already has an open invitation to %(organisation)s.")
                    % {"email": email, "organisation": organisation.name}
                ]
            }
        ) from exc
    sign_in = host_url(organisation.primary_host(), "/accounts/login/")
    expires = date_format(timezone.localtime(invitation.expires_at), "d F Y")
    words = {"organisation": organisation.name, "role": role_label(role), "sign_in": sign_in, "expires": expires}
    if account_holding_address(email=email) is not None:
        body = _(
            "You have been invited to %(organisation)s as %(role)s.\nSign in here: %(sign_in)s\n\n"
            "Forgot your password? Set a new one here: %(reset)s\n"
        ) % {**words, "reset": platform_url(_public_path("accounts:password_reset"))}
    else:
        sign_up = platform_url(_public_path("accounts:invitation_sign_up", token=token))
        body = _(
            "You have been invited to %(organisation)s as %(role)s.\n\n"
            "Create your GovSquare account with this link (it works until %(expires)s):\n%(sign_up)s\n\n"
            "Then sign in to %(organisation)s here: %(sign_in)s\n"
        ) % {**words, "sign_up": sign_up}
    subject = _("You are invited to %(organisation)s on GovSquare") % words
    send_after_commit(to=invitation.email, subject=subject, body=body)
    return invitation


# --- Sign-up, addresses, passwords, sign-in protection, two-factor (the shared space's account pages) ----

PROFILE_PHOTO_MAX_BYTES = 5 * 1024 * 1024
#: Addresses one account may hold (a person has a few; a limit keeps the verification e-mails in check).
ADDRESSES_MAX = 10


def _public_path(name: str, **kwargs: Any) -> str:
    """The path of a shared-space page, whichever host's URLconf the caller runs under."""
    from django.conf import settings as django_settings
    from django.urls import reverse

    return reverse(name, kwargs=kwargs, urlconf=django_settings.PUBLIC_SCHEMA_URLCONF)


def _hours(name: str, default: int) -> int:
    from django.conf import settings as django_settings

    return int(getattr(django_settings, name, default))


def _clean_address(email: str, *, field: str = "email") -> str:
    email = (email or "").strip()
    if not email:
        raise ValidationError({field: [_("An e-mail address is required.")]})
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({field: [_("'%(email)s' is not a valid e-mail address.") % {"email": email}]}) from exc
    return normalise_email(email)


def _password_problems(*, password: str, account: Account) -> list[str]:
    from django.contrib.auth import password_validation

    if not password:
        return [_("A password is required.")]
    try:
        password_validation.validate_password(password, user=account)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def account_sign_up(
    *, email: str, display_name: str, password: str, email_verified: bool = False, language: str | None = None
) -> Account:
    """A person makes an account with an e-mail address and a password (Django's password validators).

    The primary address stays unverified, and a verification link goes out after commit, unless
    ``email_verified`` (an invitation link already proved the address). ``language``: the language the
    person signed up in (the interface's language for them from then on).
    """
    from shared_apps.accounts.selectors import account_holding_address

    errors: dict[str, list[str]] = {}
    try:
        email = _clean_address(email)
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
    problems = _password_problems(password=password, account=Account(email=email, display_name=display_name))
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


def account_email_verification_send(*, account_email: AccountEmail, make_primary: bool = False) -> None:
    """E-mail a signed link (valid ``ACCOUNT_EMAIL_VERIFICATION_HOURS``) that verifies ``account_email``."""
    from shared_apps.accounts.mail import platform_url, send_after_commit, verification_body
    from shared_apps.accounts.tokens import VERIFY_EMAIL, link_token_make

    if account_email.verified_at is not None and not make_primary:
        raise ValidationError({"email": [_("%(email)s is verified already.") % {"email": account_email.email}]})
    payload = {
        "id": account_email.pk,
        "a": str(account_email.account_id),
        "e": account_email.email.lower(),
        "p": bool(make_primary),
    }
    token = link_token_make(purpose=VERIFY_EMAIL, payload=payload)
    hours = _hours("ACCOUNT_EMAIL_VERIFICATION_HOURS", 72)
    body = verification_body(
        display_name=account_email.account.display_name,
        address=account_email.email,
        link=platform_url(_public_path("accounts:verify_email", token=token)),
        hours=hours,
        make_primary=make_primary,
    )
    send_after_commit(to=account_email.email, subject=_("Confirm your e-mail address for GovSquare"), body=body)


def _link_problem(problem: Exception, *, what: str) -> ValidationError:
    """``what``: ``"verification"`` or ``"password reset"``, the kind of link."""
    expired = getattr(problem, "reason", "") == "expired"
    if what == "verification":
        if expired:
            return ValidationError(_("This verification link has expired. Ask for a new one."), code="expired")
        return ValidationError(
            _("This verification link is not valid. Copy the whole link from the e-mail."), code="invalid"
        )
    if expired:
        return ValidationError(_("This password reset link has expired. Ask for a new one."), code="expired")
    return ValidationError(
        _("This password reset link is not valid. Copy the whole link from the e-mail."), code="invalid"
    )


def account_email_verify(*, token: str) -> AccountEmail:
    """Follow a verification link: the address becomes verified (and primary, if that was asked for)."""
    from shared_apps.accounts.tokens import VERIFY_EMAIL, TokenProblem, link_token_read

    hours = _hours("ACCOUNT_EMAIL_VERIFICATION_HOURS", 72)
    try:
        payload = link_token_read(purpose=VERIFY_EMAIL, token=token, max_age=timedelta(hours=hours))
    except TokenProblem as problem:
        raise _link_problem(problem, what="verification") from None
    with transaction.atomic():
        row = (
            AccountEmail.objects.select_for_update()
            .select_related("account")
            .filter(pk=payload.get("id"), account_id=payload.get("a"))
            .first()
        )
        if row is None or row.email.lower() != payload.get("e"):
            raise ValidationError(_("This address is no longer on the account. Add it again to get a new link."))
        if row.verified_at is None:
            row.verified_at = timezone.now()
            row.save(update_fields=["verified_at"])
        if payload.get("p") and not row.is_primary:
            row = account_email_make_primary(account=row.account, account_email_id=row.pk)
    return row


def account_email_ensure_primary(*, account: Account) -> AccountEmail:
    """The primary ``AccountEmail`` of the account, made (unverified) from ``Account.email`` when an
    older or imported account has none yet."""
    with transaction.atomic():
        row = account.emails.filter(is_primary=True).first()
        if row is not None:
            return row
        row = account.emails.filter(email__iexact=account.email).first()
        if row is None:
            return AccountEmail.objects.create(account=account, email=account.email, is_primary=True)
        row.is_primary = True
        row.save(update_fields=["is_primary"])
        return row


def account_email_add(*, account: Account, email: str, make_primary: bool = False) -> AccountEmail:
    """Add an address (unverified) and e-mail it a verification link; with ``make_primary`` the link
    also makes it the primary address: a new primary address is always verified first."""
    from shared_apps.accounts.selectors import account_holding_address

    email = _clean_address(email)
    holder = account_holding_address(email=email)
    if holder is not None and holder.pk == account.pk:
        raise ValidationError({"email": [_("%(email)s is one of your addresses already.") % {"email": email}]})
    if holder is not None:
        raise ValidationError(
            {"email": [_("%(email)s cannot be added: it belongs to another account.") % {"email": email}]}
        )
    if account.emails.count() >= ADDRESSES_MAX:
        raise ValidationError(
            {
                "email": [
                    _("An account holds at most %(maximum)s addresses; remove one first.") % {"maximum": ADDRESSES_MAX}
                ]
            }
        )
    try:
        with transaction.atomic():
            row = AccountEmail.objects.create(account=account, email=email)
            account_email_verification_send(account_email=row, make_primary=make_primary)
    except IntegrityError as exc:
        raise ValidationError(
            {"email": [_("%(email)s cannot be added: it belongs to another account.") % {"email": email}]}
        ) from exc
    return row


def _own_address(*, account: Account, account_email_id: object, lock: bool = False) -> AccountEmail:
    rows = account.emails.select_for_update() if lock else account.emails.all()
    try:
        row = rows.filter(pk=int(account_email_id)).first()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise ValidationError(_("That is not one of your addresses."))
    return row


def account_email_verification_resend(*, account: Account, account_email_id: object) -> AccountEmail:
    """Send one of the account's unverified addresses a new verification link."""
    row = _own_address(account=account, account_email_id=account_email_id)
    account_email_verification_send(account_email=row)
    return row


def account_email_remove(*, account: Account, account_email_id: object) -> None:
    """Remove an address; never the primary one (and so never the last). Civil-servant status follows at once."""
    with transaction.atomic():
        row = _own_address(account=account, account_email_id=account_email_id, lock=True)
        if row.is_primary:
            raise ValidationError(
                _("%(email)s is your primary address. Make another verified address primary first.")
                % {"email": row.email}
            )
        if account.emails.count() <= 1:
            raise ValidationError(_("An account keeps at least one address."))
        row.delete()


def account_email_make_primary(*, account: Account, account_email_id: object) -> AccountEmail:
    """Make a verified address the primary one (the account's sign-in address); local copies follow."""
    from shared_apps.accounts.mail import send_after_commit

    with transaction.atomic():
        row = _own_address(account=account, account_email_id=account_email_id, lock=True)
        if row.verified_at is None:
            raise ValidationError(_("Verify %(email)s first: follow the link we sent to it.") % {"email": row.email})
        if row.is_primary:
            return row
        previous = account.email
        account.emails.filter(is_primary=True).update(is_primary=False)
        row.is_primary = True
        row.save(update_fields=["is_primary"])
        account.email = row.email
        try:
            with transaction.atomic():
                account.save(update_fields=["email"])
        except IntegrityError as exc:
            raise ValidationError(_("%(email)s belongs to another account.") % {"email": row.email}) from exc
        transaction.on_commit(lambda: account_changed.send(sender=Account, account_id=account.pk))
        send_after_commit(
            to=previous,
            subject=_("The primary e-mail address of your GovSquare account changed"),
            body=_(
                "Hello %(name)s,\n\nYour account now signs in with %(email)s instead of "
                "%(previous)s.\nIf you did not do this, reset your password at once.\n"
            )
            % {"name": account.display_name, "email": row.email, "previous": previous},
        )
    return row


# --- Passwords --------------------------------------------------------------------------------------------


def account_password_reset_request(*, email: str) -> None:
    """E-mail a single-use, expiring link to set a new password — if an active account signs in with
    that address. The caller answers the same either way: nobody learns whether an account exists."""
    from shared_apps.accounts.mail import password_reset_body, platform_url, send_after_commit
    from shared_apps.accounts.selectors import account_for_sign_in
    from shared_apps.accounts.tokens import PASSWORD_RESET, account_fingerprint, link_token_make

    email = _clean_address(email)
    account = account_for_sign_in(email=email)
    if account is None or not account.is_active:
        return
    payload = {
        "a": str(account.pk),
        "e": email.lower(),
        "f": account_fingerprint(password_hash=account.password, last_login=account.last_login),
    }
    token = link_token_make(purpose=PASSWORD_RESET, payload=payload)
    hours = _hours("ACCOUNT_PASSWORD_RESET_HOURS", 2)
    link = platform_url(_public_path("accounts:password_reset_confirm", token=token))
    body = password_reset_body(display_name=account.display_name, link=link, hours=hours)
    send_after_commit(to=email, subject=_("Set a new password for GovSquare"), body=body)


def account_password_reset_account(*, token: str) -> Account:
    """The account a reset link is for; ``ValidationError`` if the link expired, was used, or is not genuine."""
    return _reset_link_read(token=token)[0]


def _reset_link_read(*, token: str) -> tuple[Account, str]:
    from shared_apps.accounts.tokens import (
        PASSWORD_RESET,
        TokenProblem,
        account_fingerprint,
        fingerprints_match,
        link_token_read,
    )

    hours = _hours("ACCOUNT_PASSWORD_RESET_HOURS", 2)
    try:
        payload = link_token_read(purpose=PASSWORD_RESET, token=token, max_age=timedelta(hours=hours))
    except TokenProblem as problem:
        raise _link_problem(problem, what="password reset") from None
    account = Account.objects.filter(pk=payload.get("a"), is_active=True).first()
    if account is None or not fingerprints_match(
        account_fingerprint(password_hash=account.password, last_login=account.last_login), str(payload.get("f"))
    ):
        raise ValidationError(_("This password reset link has been used already. Ask for a new one."), code="used")
    return account, str(payload.get("e", ""))


def account_password_reset_confirm(*, token: str, password: str) -> Account:
    """Set a new password through a reset link. It also lifts a lockout, ends other sessions (the
    session epoch rises) and verifies the address the link was sent to: following it proved the mailbox."""
    from shared_apps.accounts.mail import send_after_commit

    account, address = _reset_link_read(token=token)
    problems = _password_problems(password=password, account=account)
    if problems:
        raise ValidationError({"password": problems})
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        locked.set_password(password)
        locked.failed_sign_ins = 0
        locked.locked_until = None
        locked.session_epoch += 1
        locked.save(update_fields=["password", "failed_sign_ins", "locked_until", "session_epoch"])
        AccountEmail.objects.filter(account=locked, email__iexact=address, verified_at__isnull=True).update(
            verified_at=timezone.now()
        )
        send_after_commit(
            to=locked.email,
            subject=_("Your GovSquare password was changed"),
            body=_(
                "Hello %(name)s,\n\nThe password of your account was just changed through a "
                "reset link.\nIf you did not do this, reset it again at once and tell your administrator.\n"
            )
            % {"name": locked.display_name},
        )
    return locked


# --- Sign-in protection: lockout per account, throttle per IP address ------------------------------------


class SignIn:
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class SignInOutcome:
    """What a password (or code) check decided. ``retry_at``: when a locked account or throttled address
    may try again; ``second_factor``: what the sign-in still needs after a right password."""

    status: str
    account: Account | None = None
    retry_at: datetime | None = None
    second_factor: str = "none"

    @property
    def ok(self) -> bool:
        return self.status == SignIn.OK

    @property
    def message(self) -> str:
        if self.status == SignIn.OK:
            return ""
        if self.status == SignIn.INVALID:
            return _("The e-mail address and password did not match. Please try again.")
        when = _when(self.retry_at)
        if self.status == SignIn.LOCKED:
            return _(
                "This account is locked after too many failed sign-ins. Try again after %(when)s, "
                "or set a new password through “Forgot your password?”, which lifts the lock."
            ) % {"when": when}
        return _("Too many failed sign-ins from your network. Try again after %(when)s.") % {"when": when}


def _when(moment: datetime | None) -> str:
    if moment is None:
        return _("a few minutes")
    minutes = max(1, round((moment - timezone.now()).total_seconds() / 60))
    local = timezone.localtime(moment)
    return ngettext("%(time)s (%(minutes)d minute from now)", "%(time)s (%(minutes)d minutes from now)", minutes) % {
        "time": f"{local:%H:%M}",
        "minutes": minutes,
    }


def _spend_hashing_time(password: str) -> None:
    """Hash anyway when there is no account to check: the answer takes as long either way."""
    Account().set_password(password or "")


def _lock_duration(failures: int) -> timedelta | None:
    from django.conf import settings as django_settings

    threshold = max(1, int(getattr(django_settings, "ACCOUNT_LOCKOUT_THRESHOLD", 5)))
    if failures < threshold or failures % threshold:
        return None
    base = int(getattr(django_settings, "ACCOUNT_LOCKOUT_MINUTES", 15))
    ceiling = int(getattr(django_settings, "ACCOUNT_LOCKOUT_MAX_MINUTES", 24 * 60))
    return timedelta(minutes=min(base * 2 ** min(failures // threshold - 1, 16), ceiling))


def _failure_count(*, account: Account, ip: str | None) -> SignInOutcome:
    """One more failed sign-in for the account (and the IP address); locks it at each threshold."""
    from shared_apps.accounts.throttle import ip_failure_record

    with transaction.atomic():
        row = Account.objects.select_for_update().get(pk=account.pk)
        row.failed_sign_ins += 1
        duration = _lock_duration(row.failed_sign_ins)
        if duration is not None:
            row.locked_until = timezone.now() + duration
        row.save(update_fields=["failed_sign_ins", "locked_until"])
    account.failed_sign_ins, account.locked_until = row.failed_sign_ins, row.locked_until
    ip_failure_record(ip=ip)
    if duration is not None:
        return SignInOutcome(SignIn.LOCKED, retry_at=row.locked_until)
    return SignInOutcome(SignIn.INVALID)


def account_sign_in_succeeded(*, account: Account) -> None:
    """The whole sign-in (password and, when due, second factor) passed: failures reset, last sign-in noted."""
    now = timezone.now()
    Account.objects.filter(pk=account.pk).update(failed_sign_ins=0, locked_until=None, last_login=now)
    account.failed_sign_ins, account.locked_until, account.last_login = 0, None, now


def account_password_check(*, email: str, password: str, ip: str | None = None) -> SignInOutcome:
    """Check an e-mail address and password, with the lockout and the per-IP throttle, wherever a
    password is checked (the shared space's sign-in, ``AccountBackend`` on every subsite).

    A locked account or a throttled address is refused before the password is looked at (with the
    same hashing time). A wrong password counts towards both limits. A right one resets the count,
    unless a second factor is still due (``second_factor``): then only the code completes the sign-in
    (``account_second_factor_check``), so that a known password cannot reset the count of wrong codes.
    """
    from shared_apps.accounts.selectors import SecondFactor, account_for_sign_in, account_second_factor_state
    from shared_apps.accounts.throttle import ip_blocked_until, ip_failure_record

    blocked = ip_blocked_until(ip=ip)
    if blocked is not None:
        _spend_hashing_time(password)
        return SignInOutcome(SignIn.THROTTLED, retry_at=blocked)
    account = account_for_sign_in(email=email)
    if account is None:
        _spend_hashing_time(password)
        ip_failure_record(ip=ip)
        return SignInOutcome(SignIn.INVALID)
    if account.locked_until is not None and account.locked_until > timezone.now():
        _spend_hashing_time(password)
        return SignInOutcome(SignIn.LOCKED, retry_at=account.locked_until)
    if not account.is_active:
        _spend_hashing_time(password)
        return SignInOutcome(SignIn.INVALID)
    if not account.check_password(password or ""):
        return _failure_count(account=account, ip=ip)
    state = account_second_factor_state(account=account)
    if state == SecondFactor.NONE:
        account_sign_in_succeeded(account=account)
    return SignInOutcome(SignIn.OK, account=account, second_factor=state)


def account_second_factor_check(*, account: Account, code: str, ip: str | None = None) -> SignInOutcome:
    """The second step of a sign-in: a TOTP code (one step of clock drift either way, each code once).
    A wrong code counts towards the lockout like a wrong password."""
    from shared_apps.accounts.throttle import ip_blocked_until, totp_step_claim
    from shared_apps.accounts.tokens import totp_match

    account.refresh_from_db()
    blocked = ip_blocked_until(ip=ip)
    if blocked is not None:
        return SignInOutcome(SignIn.THROTTLED, retry_at=blocked)
    if account.locked_until is not None and account.locked_until > timezone.now():
        return SignInOutcome(SignIn.LOCKED, retry_at=account.locked_until)
    if not account.is_active or not account.totp_confirmed_at:
        return SignInOutcome(SignIn.INVALID)
    step = totp_match(secret=account.totp_secret, code=code)
    if step is None or not totp_step_claim(account_id=account.pk, step=step):
        return _failure_count(account=account, ip=ip)
    account_sign_in_succeeded(account=account)
    return SignInOutcome(SignIn.OK, account=account)


# --- Two-factor authentication (TOTP) ----------------------------------------------------------------------


def totp_setup_start(*, account: Account) -> str:
    """A secret for a new authenticator (kept until confirmed, so reloading the page shows the same QR code)."""
    from shared_apps.accounts.tokens import totp_secret_new

    if account.totp_secret and account.totp_confirmed_at:
        raise ValidationError(_("Two-factor authentication is on already. Turn it off first to use another app."))
    if not account.totp_secret:
        account.totp_secret = totp_secret_new()
        account.totp_confirmed_at = None
        account.save(update_fields=["totp_secret", "totp_confirmed_at"])
    return account.totp_secret


def totp_setup_confirm(*, account: Account, code: str) -> Account:
    """Two-factor counts only from here: the person typed a code their app made from the new secret."""
    from shared_apps.accounts.mail import send_after_commit
    from shared_apps.accounts.throttle import totp_step_claim
    from shared_apps.accounts.tokens import totp_match

    if account.totp_secret and account.totp_confirmed_at:
        raise ValidationError(_("Two-factor authentication is on already."))
    if not account.totp_secret:
        raise ValidationError(_("Start the set-up again: there is no new authenticator to confirm."))
    step = totp_match(secret=account.totp_secret, code=code)
    if step is None or not totp_step_claim(account_id=account.pk, step=step):
        raise ValidationError(
            {"code": [_("That code is not right. Type the six digits your app shows now (check your phone's clock).")]}
        )
    with transaction.atomic():
        account.totp_confirmed_at = timezone.now()
        account.save(update_fields=["totp_confirmed_at"])
        send_after_commit(
            to=account.email,
            subject=_("Two-factor authentication is on for your GovSquare account"),
            body=_("Hello %(name)s,\n\nSigning in now asks for a code from your authenticator app.\n")
            % {"name": account.display_name},
        )
    return account


def totp_disable(*, account: Account, code: str, ip: str | None = None) -> Account:
    """Turn two-factor off, with a current code. Refused where it is compulsory (operators, administrators)."""
    from shared_apps.accounts.mail import send_after_commit
    from shared_apps.accounts.selectors import account_second_factor_required
    from shared_apps.accounts.throttle import totp_step_claim
    from shared_apps.accounts.tokens import totp_match

    if not (account.totp_secret and account.totp_confirmed_at):
        raise ValidationError(_("Two-factor authentication is not on."))
    if account_second_factor_required(account=account):
        raise ValidationError(
            _(
                "Two-factor authentication is required for platform operators and organisation administrators; "
                "it cannot be turned off."
            )
        )
    step = totp_match(secret=account.totp_secret, code=code)
    if step is None or not totp_step_claim(account_id=account.pk, step=step):
        outcome = _failure_count(account=account, ip=ip)  # guessing codes here counts like at sign-in
        raise ValidationError(
            {"code": [_("That code is not right.") + (f" {outcome.message}" if outcome.retry_at else "")]}
        )
    with transaction.atomic():
        account.totp_secret = ""
        account.totp_confirmed_at = None
        account.save(update_fields=["totp_secret", "totp_confirmed_at"])
        send_after_commit(
            to=account.email,
            subject=_("Two-factor authentication is off for your GovSquare account"),
            body=_(
                "Hello %(name)s,\n\nSigning in no longer asks for a code. If you did not do "
                "this, reset your password at once.\n"
            )
            % {"name": account.display_name},
        )
    return account


# --- Invitations: a new person signs up through the link ------------------------------------------------------


def invitation_sign_up(*, token: str, display_name: str, password: str, language: str | None = None) -> Account:
    """Make the account of a person invited by e-mail, through the invitation's link. The invited
    address is verified (the link reached it); the role is given on first arrival at the subsite."""
    from shared_apps.accounts.selectors import account_holding_address, invitation_for_token

    invitation = invitation_for_token(token=token)
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid, or the invitation was withdrawn or accepted."))
    if invitation.expires_at is not None and invitation.expires_at <= timezone.now():
        raise ValidationError(
            _("This invitation to %(organisation)s has expired. Ask its administrators for a new one.")
            % {"organisation": invitation.organisation.name}
        )
    if account_holding_address(email=invitation.email) is not None:
        raise ValidationError(
            _("There is an account for %(email)s already: sign in to %(organisation)s with it.")
            % {"email": invitation.email, "organisation": invitation.organisation.name}
        )
    return account_sign_up(
        email=invitation.email, display_name=display_name, password=password, email_verified=True, language=language
    )


# --- Single sign-out ----------------------------------------------------------------------------------------


def account_end_all_sessions(*, account: Account) -> int:
    """Sign the person out everywhere: raise the account's session epoch, so that every session on every
    host (shared space and subsites) that remembers an older one ends on its next request
    (``shared_apps.identity_provider.sessions``). Every ``django.contrib.auth.logout`` calls this already.
    Returns the new epoch."""
    from django.db.models import F

    Account.objects.filter(pk=account.pk).update(session_epoch=F("session_epoch") + 1)
    account.refresh_from_db(fields=["session_epoch"])
    return account.session_epoch
