"""Background work on notifications (public side). Thin: each task calls a service, in the public schema
(a task queued while serving an organisation would otherwise run in that organisation's schema).

Mail goes out from here only, with retries: a mail server that is down delays an e-mail, it never fails
the action that caused it.
"""

from __future__ import annotations

from smtplib import SMTPException
from typing import Any

from celery import shared_task

from shared_apps.notifications import mail, services
from shared_apps.notifications.models import DIGEST_FREQUENCIES
from tenants.schemas import in_public_schema

#: Errors of a mail server that is down or refuses for now: tried again, later each time.
MAIL_ERRORS = (SMTPException, OSError, ConnectionError)
MAIL_RETRY = {"autoretry_for": MAIL_ERRORS, "retry_backoff": True, "retry_backoff_max": 3600, "max_retries": 6}


@shared_task(name="notifications.activity_fan_out")
def activity_fan_out(*, activity_id: int, item_label: str, item_id: int, mentioned: list[str]) -> dict[str, Any]:
    """Notify the people of one activity line; their e-mails at once are queued one by one."""
    with in_public_schema():
        result = services.activity_fan_out(
            activity_id=activity_id, item_label=item_label, item_id=item_id, mentioned=mentioned
        )
    for notification_id in result.immediate:
        notification_mail_send.delay(notification_id=notification_id)
    return {"created": result.created, "immediate": len(result.immediate)}


@shared_task(name="notifications.invitation_notify")
def invitation_notify(*, invitation_id: int) -> dict[str, Any]:
    with in_public_schema():
        return {"notified": services.invitation_notify(invitation_id=invitation_id)}


@shared_task(name="notifications.join_request_notify")
def join_request_notify(*, join_request_id: int) -> dict[str, Any]:
    with in_public_schema():
        immediate = services.join_request_notify(join_request_id=join_request_id)
    for notification_id in immediate:
        notification_mail_send.delay(notification_id=notification_id)
    return {"immediate": len(immediate)}


@shared_task(name="notifications.notification_mail_send", **MAIL_RETRY)
def notification_mail_send(*, notification_id: int) -> str:
    with in_public_schema():
        return mail.notification_mail_send(notification_id=notification_id)


@shared_task(name="notifications.digests_send")
def digests_send(*, frequency: str) -> dict[str, Any]:
    """Celery beat: one ``digest_send`` per person with notifications waiting for this digest."""
    if frequency not in DIGEST_FREQUENCIES:
        raise ValueError(f"Not a digest frequency: {frequency!r}")
    with in_public_schema():
        recipients = mail.digest_recipients(frequency=frequency)
    for account_id in recipients:
        digest_send.delay(account_id=str(account_id), frequency=frequency)
    return {"frequency": frequency, "recipients": len(recipients)}


@shared_task(name="notifications.digest_send", **MAIL_RETRY)
def digest_send(*, account_id: str, frequency: str) -> int:
    with in_public_schema():
        return mail.digest_send(account_id=account_id, frequency=frequency)
