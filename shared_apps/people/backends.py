"""Sign-in against the platform account; permissions from the local user, as Django and Wagtail expect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.accounts.client_address import client_ip
from shared_apps.accounts.mail import platform_url
from shared_apps.accounts.selectors import SecondFactor
from shared_apps.accounts.services.sign_in import account_password_check, account_second_factor_check
from shared_apps.people.models import User
from shared_apps.people.services import local_user_for_account


class AccountBackend(ModelBackend):
    """Checks the e-mail and password on the public ``Account`` and returns the local user of the
    current schema (created on first sign-in). Everything else (``has_perm``, groups) is Django's
    ``ModelBackend`` on the local user, which is what Wagtail's permission policies call.

    The account's lockout and the per-IP throttle apply here as on the shared space
    (``accounts.services.sign_in.account_password_check``). An account with two-factor authentication needs
    its code too (``otp_code``, or an ``otp_code`` field posted with the form; Django's and Wagtail's
    forms have none, so such accounts sign in through the shared space, which asks for it). One that
    must use it (operators, administrators) but has not set it up is refused until it has.
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        otp_code: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = email or username or kwargs.get(User.USERNAME_FIELD)
        if not email or password is None:
            return None
        ip = client_ip(request) if request is not None else None
        outcome = account_password_check(email=email, password=password, ip=ip)
        if not outcome.ok or outcome.account is None:
            if outcome.retry_at is not None:  # locked or throttled: say until when
                _tell(request, outcome.message)
            return None
        account = outcome.account
        if outcome.second_factor == SecondFactor.SETUP:
            _tell(request, str(_SETUP_FIRST) % {"url": platform_url("/accounts/two-factor/")})
            return None
        if outcome.second_factor == SecondFactor.VERIFY:
            code = otp_code if otp_code is not None else _posted_code(request)
            if not code:
                _tell(request, str(_CODE_NEEDED))
                return None
            checked = account_second_factor_check(account=account, code=code, ip=ip)
            if not checked.ok:
                _tell(request, checked.message if checked.retry_at else _("That two-factor code is not right."))
                return None
        user = local_user_for_account(account=account)
        return user if self.user_can_authenticate(user) else None


_SETUP_FIRST = gettext_lazy(
    "Your account must use two-factor authentication (platform operators and organisation administrators do). "
    "Set it up at %(url)s first, then sign in here with a code from your app."
)
_CODE_NEEDED = gettext_lazy(
    "Your account uses two-factor authentication, which this form cannot ask for. "
    "Sign in through /accounts/login/ instead: the platform's sign-in asks for the code from your app."
)


def _posted_code(request: HttpRequest | None) -> str:
    """The code from the sign-in form's optional ``otp_code`` field (Django's form only passes the password)."""
    if request is None or request.method != "POST":
        return ""
    return str(request.POST.get("otp_code", "")).strip()


def _tell(request: HttpRequest | None, text: str) -> None:
    """Show why a sign-in was refused on the form (sign-in forms render messages); silent without a request."""
    if request is not None:
        messages.error(request, text, fail_silently=True)
