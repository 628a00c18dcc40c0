"""The e-mails of the account flows: absolute links to the shared space, sent after commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _


def host_url(host: str, path: str = "/") -> str:
    """An absolute URL on ``host`` with the platform's scheme and port (``PLATFORM_SCHEME``, ``PLATFORM_PORT``)."""
    port = settings.PLATFORM_PORT
    suffix = "" if port in (80, 443) else f":{port}"
    return f"{settings.PLATFORM_SCHEME}://{host}{suffix}{path}"


def platform_url(path: str) -> str:
    """An absolute URL on the shared space (``PLATFORM_DOMAIN``), where the account pages are."""
    return host_url(settings.PLATFORM_DOMAIN, path)


def send_after_commit(*, to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail once the current transaction has committed (at once outside one)."""
    transaction.on_commit(
        lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=[to], fail_silently=False)
    )


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
