"""Two-factor authentication (TOTP): setting up an authenticator, confirming it, turning it off."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.mail import Mail, in_language, mail_queue
from shared_apps.accounts.models import Account
from shared_apps.accounts.selectors import account_second_factor_required
from shared_apps.accounts.services.sign_in import sign_in_failure_count
from shared_apps.accounts.throttle import totp_step_claim
from shared_apps.accounts.tokens import totp_match, totp_secret_new

_CHANGED_MAIL = "shared_apps.accounts.services.two_factor.two_factor_changed_mail"


def two_factor_changed_mail(*, account_id: str, on: bool) -> Mail | None:
    """Tell the account that two-factor authentication was turned on or off."""
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        return None
    words = {"name": account.display_name}
    with in_language(account.language):
        if on:
            return Mail(
                to=account.email,
                subject=_("Two-factor authentication is on for your GovSquare account"),
                body=_("Hello %(name)s,\n\nSigning in now asks for a code from your authenticator app.\n") % words,
            )
        return Mail(
            to=account.email,
            subject=_("Two-factor authentication is off for your GovSquare account"),
            body=_(
                "Hello %(name)s,\n\nSigning in no longer asks for a code. If you did not do "
                "this, reset your password at once.\n"
            )
            % words,
        )


def totp_setup_start(*, account: Account) -> str:
    """A secret for a new authenticator (kept until confirmed, so reloading the page shows the same QR code)."""

    if account.totp_secret and account.totp_confirmed_at:
        raise ValidationError(_("Two-factor authentication is on already. Turn it off first to use another app."))
    if not account.totp_secret:
        account.totp_secret = totp_secret_new()
        account.totp_confirmed_at = None
        account.save(update_fields=["totp_secret", "totp_confirmed_at"])
    return account.totp_secret


def totp_setup_confirm(*, account: Account, code: str) -> Account:
    """Two-factor counts only from here: the person typed a code their app made from the new secret."""

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
        mail_queue(builder=_CHANGED_MAIL, account_id=str(account.pk), on=True)
    return account


def totp_disable(*, account: Account, code: str, ip: str | None = None) -> Account:
    """Turn two-factor off, with a current code. Refused where it is compulsory (operators, administrators)."""

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
        outcome = sign_in_failure_count(account=account, ip=ip)  # guessing codes here counts like at sign-in
        raise ValidationError(
            {"code": [_("That code is not right.") + (f" {outcome.message}" if outcome.retry_at else "")]}
        )
    with transaction.atomic():
        account.totp_secret = ""
        account.totp_confirmed_at = None
        account.save(update_fields=["totp_secret", "totp_confirmed_at"])
        mail_queue(builder=_CHANGED_MAIL, account_id=str(account.pk), on=False)
    return account
