"""Background work on the registry. Thin: each task loads its job and calls a service.

A job's task is bounded by ``JOB_LONGEST_SECONDS`` (the broker's visibility timeout is longer). A job that
another worker is running (the same message delivered twice) is left to it: the task answers "running".
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from tenants.archive.export import organisation_export_run
from tenants.archive.format import ArchiveFailed
from tenants.archive.importer import organisation_import_run
from tenants.audit import Actor
from tenants.jobs import JOB_LONGEST_SECONDS, JobBusy
from tenants.models import Job
from tenants.pool import pool_refill as refill
from tenants.provisioning import ProvisioningFailed, organisation_provision_run
from tenants.services import organisation_purge_run, organisations_purge_due


@shared_task(name="tenants.provision", time_limit=JOB_LONGEST_SECONDS)
def provision(job_id: str) -> dict[str, Any]:
    job = Job.objects.select_related("organisation").get(pk=job_id)
    try:
        organisation = organisation_provision_run(job=job)
    except ProvisioningFailed as exc:
        return {"state": "failed", "error": str(exc)}
    except JobBusy:
        return {"state": "running"}
    return {"state": "ready", "slug": organisation.slug}


@shared_task(name="tenants.export", time_limit=JOB_LONGEST_SECONDS)
def export(job_id: str) -> dict[str, Any]:
    job = Job.objects.select_related("organisation").get(pk=job_id)
    try:
        path = organisation_export_run(job=job)
    except ArchiveFailed as exc:  # the job records the reason; the task ends normally
        return {"state": "failed", "error": str(exc)}
    except JobBusy:
        return {"state": "running"}
    return {"state": "ready", "archive": str(path)}


@shared_task(name="tenants.import", time_limit=JOB_LONGEST_SECONDS)
def import_(job_id: str) -> dict[str, Any]:
    job = Job.objects.get(pk=job_id)
    try:
        organisation = organisation_import_run(job=job)
    except ArchiveFailed as exc:
        return {"state": "failed", "error": str(exc)}
    except JobBusy:
        return {"state": "running"}
    return {"state": "ready", "slug": organisation.slug}


@shared_task(name="tenants.delete", time_limit=JOB_LONGEST_SECONDS)
def delete(job_id: str) -> dict[str, Any]:
    job = Job.objects.select_related("organisation").get(pk=job_id)
    try:
        organisation_purge_run(job=job)
    except JobBusy:
        return {"state": "running"}
    except Exception as exc:  # noqa: BLE001 - the job records the reason; the task ends normally
        return {"state": "failed", "error": str(exc)}
    return {"state": "ready"}


@shared_task(name="tenants.pool_refill")
def pool_refill() -> int:
    return refill()


@shared_task(name="tenants.purge_due")
def purge_due() -> list[str]:
    return organisations_purge_due(actor=Actor.system("scheduler"))
