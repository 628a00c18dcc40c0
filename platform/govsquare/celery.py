"""The Celery app. A task queued while serving an organisation runs in that organisation's schema.

``tenant_schemas_celery.CeleryApp`` puts the current schema in a message header (``_schema_name``)
when a task is sent, and the worker switches to that schema before the task runs.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsquare.settings.dev")

app = CeleryApp("govsquare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
