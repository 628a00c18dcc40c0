"""Sign-in and its protection: the password and code checks, with a lockout per account and a throttle per
IP address (both count failed sign-ins, so checking a password writes), and signing out everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shared_apps.accounts.models import Account
from shared_apps.accounts.selectors import SecondFactor, account_for_sign_in, account_second_factor_state
from shared_apps.accounts.throttle import ip_blocked_until, ip_failure_record, totp_step_claim
from shared_apps.accounts.tokens import totp_match


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
    threshold = max(1, int(getattr(settings, "ACCOUNT_LOCKOUT_THRESHOLD", 5)))
    if failures < threshold or failures % threshold:
        return None
    base = int(getattr(settings, "ACCOUNT_LOCKOUT_MINUTES", 15))
    ceiling = int(getattr(settings, "ACCOUNT_LOCKOUT_MAX_MINUTES", 24 * 60))
    return timedelta(minutes=min(base * 2 ** min(failures // threshold - 1, 16), ceiling))


def sign_in_failure_count(*, account: Account, ip: str | None) -> SignInOutcome:
    """One more failed sign-in for the account (and the IP address); locks it at each threshold."""

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
        return sign_in_failure_count(account=account, ip=ip)
    state = account_second_factor_state(account=account)
    if state == SecondFactor.NONE:
        account_sign_in_succeeded(account=account)
    return SignInOutcome(SignIn.OK, account=account, second_factor=state)


def account_authenticate(*, email: str, password: str, ip: str | None = None) -> Account | None:
    """The active account with this e-mail and password, or ``None`` (same cost either way).

    Goes through ``account_password_check``: a locked account or a throttled IP address gets ``None``
    even with the right password, and a wrong password counts towards the lockout (a write, hence a
    service). It checks the password only; whether a second factor is due is
    ``selectors.account_second_factor_state``.
    """
    outcome = account_password_check(email=email or "", password=password, ip=ip)
    return outcome.account if outcome.ok else None


def account_second_factor_check(*, account: Account, code: str, ip: str | None = None) -> SignInOutcome:
    """The second step of a sign-in: a TOTP code (one step of clock drift either way, each code once).
    A wrong code counts towards the lockout like a wrong password."""

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
        return sign_in_failure_count(account=account, ip=ip)
    account_sign_in_succeeded(account=account)
    return SignInOutcome(SignIn.OK, account=account)


def account_end_all_sessions(*, account: Account) -> int:
    """Sign the person out everywhere: raise the account's session epoch, so that every session on every
    host (shared space and subsites) that remembers an older one ends on its next request
    (``shared_apps.identity_provider.sessions``). Every ``django.contrib.auth.logout`` calls this already.
    Returns the new epoch."""

    Account.objects.filter(pk=account.pk).update(session_epoch=F("session_epoch") + 1)
    account.refresh_from_db(fields=["session_epoch"])
    return account.session_epoch
