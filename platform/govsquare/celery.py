"""The Celery app. A task queued while serving an organisation runs in that organisation's schema.

``tenant_schemas_celery.CeleryApp`` puts the current schema in a message header (``_schema_name``)
when a task is sent, and the worker switches to that schema before the task runs.
"""

import os

from tenant_schemas_celery.app import CeleryApp

from sites import catalogue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsquare.settings.dev")

app = CeleryApp("govsquare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def add_catalogue_schedules(sender: CeleryApp, **kwargs: object) -> None:
    """The scheduled tasks the catalogue's apps declare (``sites.catalogue.ScheduledTask``), added to beat's
    schedule beside ``CELERY_BEAT_SCHEDULE``. The app is finalised after Django is set up (Celery's Django
    fixup), when every app has registered itself; each task skips the organisations where its app is off."""
    for scheduled in catalogue.scheduled_tasks():
        sender.add_periodic_task(
            scheduled.schedule, sender.signature(scheduled.task, kwargs=dict(scheduled.kwargs)), name=scheduled.name
        )
