"""A person's data jobs: their progress, and the reads the person's pages need (requests: ``requests``)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from shared_apps.accounts.models import Account, LocalUserLink
from tenants import organisation_hooks
from tenants.audit import Actor
from tenants.models import Job, Organisation

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


def personal_data_jobs_of(*, account: Account) -> QuerySet[Job]:
    return Job.objects.filter(account_id=account.pk, kind__in=Job.PERSONAL_KINDS).order_by("-created_at")


def personal_data_job_get(*, job_id: uuid.UUID | str) -> Job | None:
    return Job.objects.filter(pk=job_id, kind__in=Job.PERSONAL_KINDS).first()


def personal_data_archive_path(*, job: Job) -> Path | None:
    """The archive of a finished export job, if it is still there (and inside the export folder)."""
    if job.kind != Job.Kind.PERSONAL_EXPORT or job.state != Job.State.READY:
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
