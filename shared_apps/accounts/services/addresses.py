"""Writes to an account's e-mail addresses: adding, verifying (the link e-mailed to it), removing, and
choosing the primary one (the sign-in address)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.mail import platform_url, send_after_commit, verification_body
from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.accounts.selectors import account_holding_address
from shared_apps.accounts.services._links import link_hours, link_problem, public_path
from shared_apps.accounts.signals import account_changed
from shared_apps.accounts.tokens import VERIFY_EMAIL, TokenProblem, link_token_make, link_token_read

#: Addresses one account may hold (a person has a few; a limit keeps the verification e-mails in check).
ADDRESSES_MAX = 10


def normalise_email(email: str) -> str:
    """Lower-case the domain part of an address (the local part is the mail server's business)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_address(email: str, *, field: str = "email") -> str:
    email = (email or "").strip()
    if not email:
        raise ValidationError({field: [_("An e-mail address is required.")]})
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({field: [_("'%(email)s' is not a valid e-mail address.") % {"email": email}]}) from exc
    return normalise_email(email)


def account_email_verification_send(*, account_email: AccountEmail, make_primary: bool = False) -> None:
    """E-mail a signed link (valid ``ACCOUNT_EMAIL_VERIFICATION_HOURS``) that verifies ``account_email``."""

    if account_email.verified_at is not None and not make_primary:
        raise ValidationError({"email": [_("%(email)s is verified already.") % {"email": account_email.email}]})
    payload = {
        "id": account_email.pk,
        "a": str(account_email.account_id),
        "e": account_email.email.lower(),
        "p": bool(make_primary),
    }
    token = link_token_make(purpose=VERIFY_EMAIL, payload=payload)
    hours = link_hours("ACCOUNT_EMAIL_VERIFICATION_HOURS", 72)
    body = verification_body(
        display_name=account_email.account.display_name,
        address=account_email.email,
        link=platform_url(public_path("accounts:verify_email", token=token)),
        hours=hours,
        make_primary=make_primary,
    )
    send_after_commit(to=account_email.email, subject=_("Confirm your e-mail address for GovSquare"), body=body)


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
