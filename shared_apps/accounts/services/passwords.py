"""Writes to passwords: the checks a new one must pass, and the reset link (asking for one, following it)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.mail import Mail, in_language, mail_queue, password_reset_body, platform_url
from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.accounts.selectors import account_for_sign_in
from shared_apps.accounts.services._links import link_hours, link_problem, public_path
from shared_apps.accounts.services.addresses import clean_address
from shared_apps.accounts.tokens import (
    PASSWORD_RESET,
    TokenProblem,
    account_fingerprint,
    fingerprints_match,
    link_token_make,
    link_token_read,
)


def password_problems(*, password: str, account: Account) -> list[str]:

    if not password:
        return [_("A password is required.")]
    try:
        password_validation.validate_password(password, user=account)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def account_password_reset_request(*, email: str) -> None:
    """E-mail a single-use, expiring link to set a new password — if an active account signs in with
    that address. The caller answers the same either way: nobody learns whether an account exists. The
    request does the same work either way too (it queues one task, which looks the account up): its
    timing tells nothing, and never waits for the mail server."""

    mail_queue(builder="shared_apps.accounts.services.passwords.password_reset_mail", email=clean_address(email))


def password_reset_mail(*, email: str) -> Mail | None:
    """The reset e-mail for ``email``: none without an active account that signs in with it."""
    account = account_for_sign_in(email=email)
    if account is None or not account.is_active:
        return None
    payload = {
        "a": str(account.pk),
        "e": email.lower(),
        "f": account_fingerprint(password_hash=account.password, last_login=account.last_login),
    }
    token = link_token_make(purpose=PASSWORD_RESET, payload=payload)
    hours = link_hours("ACCOUNT_PASSWORD_RESET_HOURS", 2)
    link = platform_url(public_path("accounts:password_reset_confirm", token=token))
    with in_language(account.language):
        body = password_reset_body(display_name=account.display_name, link=link, hours=hours)
        return Mail(to=email, subject=_("Set a new password for GovSquare"), body=body)


def password_changed_mail(*, account_id: str) -> Mail | None:
    """Tell the account's primary address that its password was changed through a reset link."""
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        return None
    with in_language(account.language):
        return Mail(
            to=account.email,
            subject=_("Your GovSquare password was changed"),
            body=_(
                "Hello %(name)s,\n\nThe password of your account was just changed through a "
                "reset link.\nIf you did not do this, reset it again at once and tell your administrator.\n"
            )
            % {"name": account.display_name},
        )


def account_password_reset_account(*, token: str) -> Account:
    """The account a reset link is for; ``ValidationError`` if the link expired, was used, or is not genuine."""
    return _reset_link_read(token=token)[0]


def _reset_link_read(*, token: str) -> tuple[Account, str]:
    hours = link_hours("ACCOUNT_PASSWORD_RESET_HOURS", 2)
    try:
        payload = link_token_read(purpose=PASSWORD_RESET, token=token, max_age=timedelta(hours=hours))
    except TokenProblem as problem:
        raise link_problem(problem, what="password reset") from None
    account = Account.objects.filter(pk=payload.get("a"), is_active=True).first()
    if account is None or not fingerprints_match(
        account_fingerprint(password_hash=account.password, last_login=account.last_login), str(payload.get("f"))
    ):
        raise ValidationError(_("This password reset link has been used already. Ask for a new one."), code="used")
    return account, str(payload.get("e", ""))


def account_password_reset_confirm(*, token: str, password: str) -> Account:
    """Set a new password through a reset link. It also lifts a lockout, ends other sessions (the
    session epoch rises) and verifies the address the link was sent to: following it proved the mailbox."""

    account, address = _reset_link_read(token=token)
    problems = password_problems(password=password, account=account)
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
        mail_queue(builder="shared_apps.accounts.services.passwords.password_changed_mail", account_id=str(locked.pk))
    return locked
