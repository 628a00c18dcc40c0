"""Background work on accounts. Thin: each task loads its job and calls ``shared_apps.accounts.personal_data``.

The account e-mails' task (``account_mail_send``) lives in ``shared_apps.accounts.mail`` beside ``mail_queue``,
which queues it; it is named here so that the worker's task discovery registers it.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from shared_apps.accounts.mail import account_mail_send
from shared_apps.accounts.personal_data.erasure import personal_data_delete_run
from shared_apps.accounts.personal_data.export import personal_data_export_run
from shared_apps.accounts.personal_data.jobs import PersonalDataFailed
from tenants.jobs import JobBusy
from tenants.models import Job

__all__ = ["account_mail_send", "personal_data_delete", "personal_data_export"]


@shared_task(name="accounts.personal_data_export")
def personal_data_export(job_id: str) -> dict[str, Any]:
    job = Job.objects.get(pk=job_id)
    try:
        path = personal_data_export_run(job=job)
    except PersonalDataFailed as exc:  # the job records the reason; the task ends normally
        return {"state": "failed", "error": str(exc)}
    return {"state": "ready", "archive": str(path)}


@shared_task(name="accounts.personal_data_delete")
def personal_data_delete(job_id: str) -> dict[str, Any]:
    job = Job.objects.get(pk=job_id)
    try:
        result = personal_data_delete_run(job=job)
    except PersonalDataFailed as exc:
        return {"state": "failed", "error": str(exc)}
    except JobBusy:  # the same message delivered twice: the worker running it finishes it
        return {"state": "running"}
    return {"state": "ready", **result}
