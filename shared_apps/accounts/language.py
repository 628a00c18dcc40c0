"""A person's language (``Account.language``) follows them onto every host they sign in on.

Django's ``LocaleMiddleware`` picks the language of each request from the language cookie, then the
browser's ``Accept-Language``, then ``LANGUAGE_CODE`` (since Django 4.0 it no longer reads the session).
Every sign-in — the shared space's sign-in, a subsite's single sign-on callback (silent sign-in too), a
sign-up — goes through ``django.contrib.auth.login``, which sends ``user_logged_in``:

* ``remember_account_language`` then keeps the account's language in that host's session, switches the
  rest of the request to it, and asks for the language cookie on the response;
* ``LanguageCookieMiddleware`` sets that cookie, so that every later request on that host is in the
  person's language.

The switcher in the page header posts to Django's ``set_language``, which changes the cookie of the host
it is used on; the profile page changes ``Account.language`` and the cookie together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from shared_apps.accounts.models import Account

#: The account's language as of its last sign-in on this host.
SESSION_KEY = "govsquare.language"
#: The language whose cookie this request's response must carry (see ``LanguageCookieMiddleware``).
_COOKIE_DUE = "_govsquare_language_cookie"


def _supported(language: object) -> str | None:
    return language if isinstance(language, str) and language in dict(settings.LANGUAGES) else None


def account_language_of(user: Any) -> str | None:
    """The language chosen on the platform account behind a local user, or ``None`` (no account, or unknown)."""
    account_id = getattr(user, "account_id", None)
    if account_id is None:
        return None
    return _supported(Account.objects.filter(pk=account_id).values_list("language", flat=True).first())


def language_remember(request: HttpRequest, language: str) -> None:
    """Use ``language`` for the rest of this request and every later one on this host (session and cookie)."""
    if _supported(language) is None:
        return
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = language
    setattr(request, _COOKIE_DUE, language)
    # Only inside a request that LocaleMiddleware has seen: a test client's force_login() builds a bare
    # request, and activating there would change the language of the calling thread for good.
    if hasattr(request, "LANGUAGE_CODE"):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def remember_account_language(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: the account's language for this host from now on."""
    if request is None:
        return
    language = account_language_of(user)
    if language is not None:
        language_remember(request, language)


def connect_receivers() -> None:
    user_logged_in.connect(remember_account_language, dispatch_uid="govsquare.remember_account_language")


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """The cookie ``LocaleMiddleware`` reads, set as Django's own ``set_language`` view sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageCookieMiddleware:
    """Sets the language cookie that a sign-in (or a profile change) asked for on this request's response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, _COOKIE_DUE, None)
        if language is not None:
            language_cookie_set(response, language)
        return response
