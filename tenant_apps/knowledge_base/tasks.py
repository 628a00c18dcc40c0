"""The knowledge base's background work: review reminders to content owners.

``knowledge_base.review_reminders_send`` runs from Celery beat (declared in the catalogue entry) for the whole
platform: for every active organisation where the app is on it queues one
``knowledge_base.review_reminder_send`` per content owner with articles due for review (or due soon). That
one sends the mail, with retries when the mail server is down; a re-run the same day sends nothing.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import shared_task
from django.utils import timezone

from shared_apps.notifications.tasks import MAIL_RETRY
from tenant_apps.knowledge_base import selectors, services
from tenant_apps.pages.catalogue import app_is_on
from tenants.models import Organisation
from tenants.schemas import in_public_schema, in_schema

logger = logging.getLogger(__name__)

APP_KEY = "knowledge-base"


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="knowledge_base.review_reminders_send")
def review_reminders_send(*, today: str | None = None) -> dict[str, Any]:
    """Celery beat: one ``review_reminder_send`` per content owner with articles to be reminded of, in every
    active organisation where the knowledge base is on. ``today`` (ISO date) is for tests and catch-ups."""
    day = _day(today)
    with in_public_schema():
        organisations = list(Organisation.objects.filter(status=Organisation.Status.ACTIVE).order_by("pk"))
    queued, failed = 0, []
    for organisation in organisations:
        if not app_is_on(key=APP_KEY, organisation=organisation):
            continue
        try:
            with in_schema(organisation):
                for owner_id in selectors.owners_to_remind(today=day):
                    review_reminder_send.delay(
                        schema_name=organisation.schema_name, owner_id=owner_id, today=day.isoformat()
                    )
                    queued += 1
        except Exception:  # one organisation's trouble never keeps the others' owners from their reminders
            logger.exception("Review reminders could not be queued for %s", organisation.slug)
            failed.append(organisation.slug)
    return {"queued": queued, "failed": failed}


@shared_task(name="knowledge_base.review_reminder_send", **MAIL_RETRY)
def review_reminder_send(*, schema_name: str, owner_id: int, today: str | None = None) -> int:
    """Mail one content owner of one organisation; the number of articles in the mail (0: none sent)."""
    with in_public_schema():
        organisation = Organisation.objects.filter(schema_name=schema_name, status=Organisation.Status.ACTIVE).first()
    if organisation is None or not app_is_on(key=APP_KEY, organisation=organisation):
        return 0
    with in_schema(organisation):
        return services.review_reminder_send(organisation=organisation, owner_id=owner_id, today=_day(today))
