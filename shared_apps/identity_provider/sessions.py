"""Single sign-out: a session on any host lasts only while its account's ``session_epoch`` is unchanged.

* Signing in anywhere (``django.contrib.auth.login``: the shared space's sign-in, a subsite's
  ``/accounts/callback/``, the Wagtail admin's form) stores the account's epoch in that host's session.
* Signing out anywhere (``django.contrib.auth.logout``: a subsite's ``/accounts/logout/``, the provider's
  ``/o/logout/``, the shared space's or Wagtail's sign-out) raises the epoch through
  ``accounts.services.sign_in.account_end_all_sessions``. These two hooks are Django's auth signals, so every
  sign-in and sign-out view takes part without having to remember to.
* ``SessionEpochMiddleware`` (right after ``AuthenticationMiddleware``) ends, on its next request, every
  session whose stored epoch differs from the account's -- on every host, shared space included -- and
  any session of an account that has been deactivated. One indexed read per signed-in request, no cache,
  so a sign-out counts from the very next request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest, HttpResponse

from shared_apps.accounts.services.sign_in import account_end_all_sessions
from shared_apps.identity_provider.selectors import account_session_state

SESSION_EPOCH_KEY = "govsquare.session_epoch"


def remember_session_epoch(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    account_id = getattr(user, "account_id", None)
    if request is None or account_id is None or not hasattr(request, "session"):
        return
    state = account_session_state(account_id=account_id)
    if state is not None:
        request.session[SESSION_EPOCH_KEY] = state.epoch


def end_all_sessions_on_sign_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    account = getattr(user, "account", None) if user is not None else None
    if account is None:
        return
    account_end_all_sessions(account=account)


def connect_receivers() -> None:
    user_logged_in.connect(remember_session_epoch, dispatch_uid="govsquare.remember_session_epoch")
    user_logged_out.connect(end_all_sessions_on_sign_out, dispatch_uid="govsquare.end_all_sessions_on_sign_out")


class SessionEpochMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        account_id = getattr(user, "account_id", None) if user is not None and user.is_authenticated else None
        if account_id is not None:
            state = account_session_state(account_id=account_id)
            remembered = request.session.get(SESSION_EPOCH_KEY)
            if state is None or not state.is_active or (remembered is not None and remembered != state.epoch):
                # Not django's logout(): that would raise the epoch again and end newer sessions too.
                request.session.flush()
                request.user = AnonymousUser()
                request.auser = _anonymous  # type: ignore[attr-defined]
            elif remembered is None:  # a session from before single sign-out existed: adopt the current epoch
                request.session[SESSION_EPOCH_KEY] = state.epoch
        return self.get_response(request)


async def _anonymous() -> AnonymousUser:
    return AnonymousUser()
