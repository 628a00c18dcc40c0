"""A person's data jobs: their progress, and the reads the person's pages need (requests: ``requests``)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from shared_apps.accounts.models import Account, LocalUserLink, PersonalDataJob
from tenants import organisation_hooks
from tenants.audit import Actor
from tenants.errors import error_for_people
from tenants.models import Organisation
from tenants.schemas import in_public_schema

#: Visible steps, with the percentage reached when each starts.
EXPORT_STEPS = {"queued": 0, "reading_account": 5, "reading_organisations": 10, "writing_archive": 90, "ready": 100}
DELETE_STEPS = {"queued": 0, "deactivating_account": 5, "anonymising": 10, "deleting_account": 90, "ready": 100}


class PersonalDataFailed(RuntimeError):
    """A personal-data job did not complete; ``str()`` is the reason (also in the job)."""


def actor_for_account(account_id: object) -> Actor:
    """The audit trail names a person acting on their own data by account id only."""
    return Actor(f"account:{account_id}")


def export_root() -> Path:
    return Path(settings.EXPORT_ROOT) / "personal"


# --- Reads ---------------------------------------------------------------------------------------------


def personal_data_jobs_of(*, account: Account) -> QuerySet[PersonalDataJob]:
    return PersonalDataJob.objects.filter(account_id=account.pk).order_by("-created_at")


def personal_data_job_get(*, job_id: uuid.UUID | str) -> PersonalDataJob | None:
    return PersonalDataJob.objects.filter(pk=job_id).first()


def personal_data_archive_path(*, job: PersonalDataJob) -> Path | None:
    """The archive of a finished export job, if it is still there (and inside the export folder)."""
    if job.kind != PersonalDataJob.Kind.EXPORT or job.state != PersonalDataJob.State.READY:
        return None
    raw = (job.result or {}).get("archive")
    if not raw:
        return None
    path = Path(raw).resolve()
    root = export_root().resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def organisations_left_without_administrator(*, account: Account) -> list[Organisation]:
    """The organisations of which ``account`` is the only active administrator (its deletion leaves none)."""
    schemas = list(LocalUserLink.objects.filter(account=account).values_list("schema_name", flat=True))
    organisations = list(Organisation.objects.filter(schema_name__in=schemas).order_by("name"))
    if not organisations:
        return []
    names = [organisation.schema_name for organisation in organisations]
    roles = organisation_hooks.roles_of_accounts.call_one(account_ids=[account.pk], schema_names=names)
    counts = organisation_hooks.administrator_counts.call_one(schema_names=names)
    return [
        organisation
        for organisation in organisations
        if (held := roles.get((organisation.schema_name, account.pk))) is not None
        and held.role is not None
        and held.administers
        and counts.get(organisation.schema_name, 0) <= 1
    ]


# --- Progress ------------------------------------------------------------------------------------------


def job_progress(job: PersonalDataJob, *, step: str, percent: float, **fields: Any) -> None:
    """Write a job's step at once (jobs run outside any transaction, so the person sees it move)."""
    job.step = step[:60]
    job.percent = max(0, min(100, int(percent)))
    for name, value in fields.items():
        setattr(job, name, value)
    with in_public_schema():
        PersonalDataJob.objects.filter(pk=job.pk).update(step=job.step, percent=job.percent, **fields)


def job_between(start: int, end: int, done: int, total: int) -> float:
    """The percentage ``done`` of ``total`` items reaches between two steps."""
    return start + (end - start) * (done / total if total else 1)


def job_finish(job: PersonalDataJob, *, result: dict[str, Any]) -> None:
    job_progress(
        job, step="ready", percent=100, state=PersonalDataJob.State.READY, result=result, finished_at=timezone.now()
    )


def job_fail(job: PersonalDataJob, error: BaseException) -> str:
    """Mark the job failed with the reason a person reads; the reason."""
    reason = error_for_people(error, fields=False)
    job_progress(
        job,
        step="failed",
        percent=job.percent,
        state=PersonalDataJob.State.FAILED,
        error=reason,
        finished_at=timezone.now(),
    )
    return reason
