"""Writes to an account's e-mail addresses: adding, verifying (the link e-mailed to it), removing, and
choosing the primary one (the sign-in address)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.mail import Mail, in_language, mail_queue, platform_url, verification_body
from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.accounts.services._links import link_hours, link_problem, public_path
from shared_apps.accounts.signals import account_changed
from shared_apps.accounts.tokens import VERIFY_EMAIL, TokenProblem, link_token_make, link_token_read

#: Addresses one account may hold (a person has a few; a limit keeps the verification e-mails in check).
ADDRESSES_MAX = 10


def normalise_email(email: str) -> str:
    """Lower-case the domain part of an address (the local part is the mail server's business)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


#: The longest address a mail server accepts (RFC 5321's path limit), and the accounts' columns' length.
EMAIL_MAX_LENGTH = 254


def clean_address(email: str, *, field: str = "email") -> str:
    email = (email or "").strip()
    if not email:
        raise ValidationError({field: [_("An e-mail address is required.")]})
    if len(email) > EMAIL_MAX_LENGTH:  # Django's validator allows 320; the accounts' columns hold 254 (RFC 5321)
        raise ValidationError(
            {field: [_("An e-mail address can be at most %(limit)d characters long.") % {"limit": EMAIL_MAX_LENGTH}]}
        )
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({field: [_("'%(email)s' is not a valid e-mail address.") % {"email": email}]}) from exc
    return normalise_email(email)


def address_holder(*, email: str) -> Account | None:
    """The account that holds ``email``: as its primary (sign-in) address, or as a verified one.

    An unverified secondary address proves nothing (anyone can type anyone's address), so it holds nothing:
    it never blocks the address's owner from signing up or adding it (``unverified_claims_release``).
    """
    email = (email or "").strip()
    account = Account.objects.filter(email__iexact=email).first()
    if account is not None:
        return account
    row = (
        AccountEmail.objects.select_related("account")
        .filter(Q(verified_at__isnull=False) | Q(is_primary=True), email__iexact=email)
        .first()
    )
    return row.account if row is not None else None


def unverified_claims_release(*, email: str, keeping: Account | None = None) -> int:
    """Remove ``email`` where another account added it and never verified it (so its link verifies nothing
    any more), for the account of ``keeping`` or a new one to take it. Returns how many were removed."""
    rows = AccountEmail.objects.filter(email__iexact=(email or "").strip(), verified_at__isnull=True, is_primary=False)
    if keeping is not None:
        rows = rows.exclude(account=keeping)
    return rows.delete()[0]


def account_email_verification_send(*, account_email: AccountEmail, make_primary: bool = False) -> None:
    """E-mail a signed link (valid ``ACCOUNT_EMAIL_VERIFICATION_HOURS``) that verifies ``account_email``."""

    if account_email.verified_at is not None and not make_primary:
        raise ValidationError({"email": [_("%(email)s is verified already.") % {"email": account_email.email}]})
    mail_queue(
        builder="shared_apps.accounts.services.addresses.verification_mail",
        account_email_id=account_email.pk,
        make_primary=bool(make_primary),
    )


def verification_mail(*, account_email_id: int, make_primary: bool = False) -> Mail | None:
    """The verification e-mail of an address as it is now (none if it was removed or verified meanwhile)."""
    row = AccountEmail.objects.select_related("account").filter(pk=account_email_id).first()
    if row is None or (row.verified_at is not None and not make_primary):
        return None
    payload = {"id": row.pk, "a": str(row.account_id), "e": row.email.lower(), "p": bool(make_primary)}
    token = link_token_make(purpose=VERIFY_EMAIL, payload=payload)
    hours = link_hours("ACCOUNT_EMAIL_VERIFICATION_HOURS", 72)
    with in_language(row.account.language):
        body = verification_body(
            display_name=row.account.display_name,
            address=row.email,
            link=platform_url(public_path("accounts:verify_email", token=token)),
            hours=hours,
            make_primary=make_primary,
        )
        return Mail(to=row.email, subject=_("Confirm your e-mail address for GovSquare"), body=body)


def primary_changed_mail(*, account_id: str, previous: str, email: str) -> Mail | None:
    """Tell the previous primary address that the account signs in with another one now."""
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        return None
    with in_language(account.language):
        return Mail(
            to=previous,
            subject=_("The primary e-mail address of your GovSquare account changed"),
            body=_(
                "Hello %(name)s,\n\nYour account now signs in with %(email)s instead of "
                "%(previous)s.\nIf you did not do this, reset your password at once.\n"
            )
            % {"name": account.display_name, "email": email, "previous": previous},
        )


def account_email_verify(*, token: str) -> AccountEmail:
    """Follow a verification link: the address becomes verified (and primary, if that was asked for)."""

    hours = link_hours("ACCOUNT_EMAIL_VERIFICATION_HOURS", 72)
    try:
        payload = link_token_read(purpose=VERIFY_EMAIL, token=token, max_age=timedelta(hours=hours))
    except TokenProblem as problem:
        raise link_problem(problem, what="verification") from None
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

    email = clean_address(email)
    holder = address_holder(email=email)
    if holder is None and account.emails.filter(email__iexact=email).exists():
        holder = account  # an unverified address of this account: it has it already
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
            unverified_claims_release(email=email, keeping=account)
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
        mail_queue(
            builder="shared_apps.accounts.services.addresses.primary_changed_mail",
            account_id=str(account.pk),
            previous=previous,
            email=row.email,
        )
    return row
