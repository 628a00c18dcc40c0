"""The e-mail to someone moved up from an event's waiting list, in their own language (current schema)."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shared_apps.accounts.mail import host_url
from tenant_apps.events import models as event_models


def place_offered_body(*, name: str, title: str, when: str, link: str) -> str:
    return _(
        "Hello %(name)s,\n\n"
        "A place has become free at %(title)s (%(when)s), and it is yours: you were first on the waiting list, "
        "and you are now registered.\n\n"
        "The event: %(link)s\n\n"
        "If you can no longer come, please cancel your registration there, so that the next person gets the place.\n"
    ) % {"name": name, "title": title, "when": when, "link": link}


def place_offered_mail_send(*, organisation: Any, registration_id: int) -> str:
    """Send the mail (the registration must still be confirmed); what happened, for the task's result.

    The backend's errors are not caught: the task retries."""
    registration = event_models.Registration.objects.select_related("event", "user").filter(pk=registration_id).first()
    if registration is None or registration.status != event_models.Registration.Status.CONFIRMED:
        return "skipped"
    user, event = registration.user, registration.event
    account = getattr(user, "account", None)
    address = getattr(account, "email", "") or user.email
    if not address:
        return "no-address"
    language = getattr(account, "language", "") or "nl"
    name = getattr(account, "display_name", "") or user.get_full_name() or address
    _site_id, _root, page_path = event.get_url_parts() or (None, None, event.url_path)
    with translation.override(language):
        when = date_format(timezone.localtime(event.start), "DATETIME_FORMAT")
        subject = _("You have a place at %(title)s") % {"title": event.title}
        body = place_offered_body(
            name=name, title=event.title, when=when, link=host_url(organisation.platform_host, page_path)
        )
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[address], fail_silently=False)
    return "sent"
