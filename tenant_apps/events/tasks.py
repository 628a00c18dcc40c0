"""The events section's background work: the mail to someone moved up from a waiting list, with retries."""

from __future__ import annotations

from celery import shared_task

from shared_apps.notifications.tasks import MAIL_RETRY
from tenant_apps.events import mail
from tenant_apps.pages.catalogue import app_is_on
from tenants.models import Organisation
from tenants.schemas import in_public_schema, in_schema

APP_KEY = "events"


@shared_task(name="events.place_offered_mail_send", **MAIL_RETRY)
def place_offered_mail_send(*, schema_name: str, registration_id: int) -> str:
    """Mail the person of one registration that they have a place (queued after commit by the cancel)."""
    with in_public_schema():
        organisation = Organisation.objects.filter(schema_name=schema_name).first()
    if organisation is None:
        return "gone"
    if not app_is_on(key=APP_KEY, organisation=organisation):
        return "app-off"
    with in_schema(organisation):
        return mail.place_offered_mail_send(organisation=organisation, registration_id=registration_id)
