"""Shared helpers of the account tests (tests/test_accounts_*.py, tests/test_civil_servant.py)."""

from __future__ import annotations

import re
import time
import uuid
from types import SimpleNamespace

import pyotp
import pytest
from django.core import mail

from shared_apps.accounts.mail import account_mail_send
from tests.harness.people import PASSWORD

#: A password Django's validators accept (long, not common, not numeric, not like the address).
GOOD_PASSWORD = "violet-harbour-lantern-42"

_LINK = re.compile(r"https?://[^/\s]+(/accounts/[^\s]+/)")


@pytest.fixture(autouse=True)
def own_cache(settings) -> None:  # type: ignore[no-untyped-def]
    """A fresh in-process cache per test: throttle counters and used codes never leak between tests."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"accounts-tests-{uuid.uuid4().hex}",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }


@pytest.fixture(autouse=True)
def synced(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Record the local-copy syncs a primary-address change queues (no task reaches a real broker)."""
    queued: list[str] = []
    monkeypatch.setattr(
        "shared_apps.people.tasks.queue_local_user_sync", lambda *, account_id: queued.append(str(account_id))
    )
    return queued


@pytest.fixture(autouse=True)
def account_mails_inline(monkeypatch) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """The account e-mails' task (``accounts.account_mail_send``) runs here and now when it is queued (the
    worker's job, no broker), each queued call recorded."""
    queued: list[dict] = []  # type: ignore[type-arg]

    def delay(**kwargs):  # type: ignore[no-untyped-def]
        queued.append(kwargs)
        return account_mail_send.apply(kwargs=kwargs)

    monkeypatch.setattr(account_mail_send, "delay", delay)
    return queued


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks, account_mails_inline):  # type: ignore[no-untyped-def]
    """``with after_commit(): ...`` runs what the block queued for after commit at its end: the e-mails' tasks
    run at once (``account_mails_inline``)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


_CLOCK: dict[str, float] = {}


@pytest.fixture(autouse=True)
def steady_totp_clock(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The TOTP check and ``code_for`` read one fixed moment, mid-step: no test meets a step boundary."""
    now = (int(time.time()) // 30) * 30 + 15
    _CLOCK["now"] = now
    monkeypatch.setattr("shared_apps.accounts.tokens.time", SimpleNamespace(time=lambda: now))
    yield
    _CLOCK.clear()


def link_in(message: mail.EmailMessage) -> str:
    """The path of the (only) account link in an e-mail."""
    found = _LINK.findall(message.body)
    assert found, message.body
    return found[0]


def mails_to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if address.lower() in [to.lower() for to in m.to]]


def code_for(secret: str, *, steps_ahead: int = 0) -> str:
    """The TOTP code of the current time step (or one step later: each code is accepted only once)."""
    return pyotp.TOTP(secret).at(_CLOCK.get("now") or time.time(), counter_offset=steps_ahead)


__all__ = [
    "GOOD_PASSWORD",
    "PASSWORD",
    "after_commit",
    "code_for",
    "link_in",
    "mails_to",
    "own_cache",
    "steady_totp_clock",
    "synced",
]
