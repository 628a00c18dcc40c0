"""The e-mails of the account flows: absolute links to the shared space, sent by a worker after commit.

Nothing is sent while a request or a job runs: a service queues ``account_mail_send`` once its transaction has
committed (``mail_queue``; ``robust``, so a broker that is down loses the mail, never the work), and the worker
builds the message from ids, re-reading the rows (a mail about something undone meanwhile is skipped), in the
recipient's language, and sends it, tried again with a growing delay while the mail server is down.

A builder is a function named in ``MAIL_BUILDERS`` that takes the queued keyword arguments and returns the
``Mail`` to send, or ``None`` when there is nothing to send any more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

#: Errors of a mail server that is down or refuses for now: tried again, later each time (as notifications do).
MAIL_ERRORS = (SMTPException, OSError, ConnectionError)
MAIL_RETRY = {
    "autoretry_for": MAIL_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 3600,
    "max_retries": 6,
    "acks_late": True,
}

#: The builders the worker may call (dotted paths), one per kind of account, invitation or group e-mail.
MAIL_BUILDERS = frozenset(
    {
        "shared_apps.accounts.services.addresses.verification_mail",
        "shared_apps.accounts.services.addresses.primary_changed_mail",
        "shared_apps.accounts.services.passwords.password_reset_mail",
        "shared_apps.accounts.services.passwords.password_changed_mail",
        "shared_apps.accounts.services.two_factor.two_factor_changed_mail",
        "shared_apps.accounts.services.invitations.invitation_mail",
        "shared_apps.accounts.services.invitations.organisation_join_decision_mail",
        "shared_apps.groups.services.invitations.group_invitation_mail",
        "shared_apps.groups.services.join_requests.join_decision_mail",
    }
)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def host_url(host: str, path: str = "/") -> str:
    """An absolute URL on ``host`` with the platform's scheme and port (``PLATFORM_SCHEME``, ``PLATFORM_PORT``)."""
    port = settings.PLATFORM_PORT
    suffix = "" if port in (80, 443) else f":{port}"
    return f"{settings.PLATFORM_SCHEME}://{host}{suffix}{path}"


def platform_url(path: str) -> str:
    """An absolute URL on the shared space (``PLATFORM_DOMAIN``), where the account pages are."""
    return host_url(settings.PLATFORM_DOMAIN, path)


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Build a message in the recipient's language (their account's; the platform's for an address alone)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        yield


def mail_queue(*, builder: str, **params: Any) -> None:
    """Queue the e-mail that ``builder`` makes from ``params`` (ids and plain values), after commit."""
    if builder not in MAIL_BUILDERS:
        raise ValueError(f"Not a mail builder: {builder!r}")
    transaction.on_commit(lambda: account_mail_send.delay(builder=builder, params=params), robust=True)


def account_mail_build(*, builder: str, params: dict[str, Any]) -> Mail | None:
    if builder not in MAIL_BUILDERS:
        raise ValueError(f"Not a mail builder: {builder!r}")
    build: Callable[..., Mail | None] = import_string(builder)
    return build(**params)


@shared_task(name="accounts.account_mail_send", **MAIL_RETRY)
def account_mail_send(*, builder: str, params: dict[str, Any]) -> str:
    """Build one account e-mail from the rows as they are now and send it; "skipped" if there is none to send."""
    with schema_context(get_public_schema_name()):
        message = account_mail_build(builder=builder, params=params)
    if message is None:
        return "skipped"
    send_mail(
        subject=message.subject, message=message.body, from_email=None, recipient_list=[message.to], fail_silently=False
    )
    return "sent"


def verification_body(*, display_name: str, address: str, link: str, hours: int, make_primary: bool) -> str:
    words = {"name": display_name, "address": address, "link": link, "hours": hours}
    if make_primary:
        return (
            _(
                "Hello %(name)s,\n\n"
                "Please confirm that %(address)s is your e-mail address and make it the primary address of your "
                "account:\n\n%(link)s\n\n"
                "The link works for %(hours)s hours. If you did not ask for this, ignore this e-mail.\n"
            )
            % words
        )
    return (
        _(
            "Hello %(name)s,\n\n"
            "Please confirm that %(address)s is your e-mail address:\n\n%(link)s\n\n"
            "The link works for %(hours)s hours. If you did not ask for this, ignore this e-mail.\n"
        )
        % words
    )


def password_reset_body(*, display_name: str, link: str, hours: int) -> str:
    return _(
        "Hello %(name)s,\n\n"
        "Someone (we hope you) asked to set a new password for your GovSquare account. Choose one here:\n\n"
        "%(link)s\n\nThe link works once, for %(hours)s hours. If you did not ask for it, ignore this e-mail: "
        "your password stays as it is.\n"
    ) % {"name": display_name, "link": link, "hours": hours}
