"""Progress of background jobs — every kind, an organisation's or a person's: the durable state in ``Job``,
the live step in the cache while running.

The work of an organisation's job runs in one database transaction (all or nothing), so its progress
cannot be read from the database until it ends; each step is therefore also published to the cache (in
the public schema's key space), where the operator UI, the API and the CLI read it. A person's job runs
outside any transaction and writes its step and percentage to its row as it goes (``job_progress``).

Tasks are acknowledged late, so a message can be delivered twice (a worker lost, the broker's visibility
timeout passed). Every runner therefore starts inside ``job_claimed``: the job's row is locked and read
afresh; a finished job is not run again (the runner returns what it recorded), and one that another
worker is running raises ``JobBusy``. ``JOB_LONGEST_SECONDS`` bounds a job (the tasks' time limit); the
broker's visibility timeout must be longer.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import current_app
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tenants.errors import error_for_people
from tenants.models import Job
from tenants.schemas import in_public_schema

ProgressCallback = Callable[[str, int], None]
_LIVE_TTL = 3600
logger = logging.getLogger(__name__)

#: The longest an organisation's job may run (the time limit of its task). The broker's visibility timeout
#: (``CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]``) must be longer, or a running job is redelivered.
JOB_LONGEST_SECONDS = 6 * 3600


class JobBusy(RuntimeError):
    """Another worker is running this job right now; this delivery of it leaves the job alone."""


def job_lock_key(job_id: object) -> int:
    """The PostgreSQL advisory lock a worker holds while it runs the job (a signed 64-bit number)."""
    return int.from_bytes(uuid.UUID(str(job_id)).bytes[:8], "big", signed=True)


@contextmanager
def job_claimed(*, job: Job) -> Iterator[bool]:
    """Run ``job`` at most once at a time, and never again once finished.

    Locks the job's row (``SELECT … FOR UPDATE``) and reads it afresh into ``job``. Yields ``False`` for
    a job that is READY or FAILED: the caller returns its recorded outcome and changes nothing. Raises
    ``JobBusy`` when another worker holds the job's lock. Else yields ``True`` holding the lock (a session
    lock, let go when the work ends or the worker's connection drops): the job is queued, or RUNNING
    left by a worker that died, whose transaction rolled back; the caller runs it.
    """
    key = job_lock_key(job.pk)
    with in_public_schema():
        with transaction.atomic():
            job.refresh_from_db(from_queryset=Job.objects.select_for_update())
            if job.is_finished:
                locked = False
            else:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                    locked = bool(cursor.fetchone()[0])
                if not locked:
                    raise JobBusy(f"Job {job.pk} is being run by another worker.")
    if not locked:
        yield False
        return
    try:
        yield True
    finally:
        _unlock(key)


def _unlock(key: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    except DatabaseError:  # the connection is gone, and its session lock with it
        logger.warning("Could not release job lock %s; its connection is gone.", key)


def _live_key(job_id: object) -> str:
    return f"job-progress:{job_id}"


def job_publish_step(*, job: Job, step: str, percent: int) -> None:
    with in_public_schema():
        cache.set(_live_key(job.pk), {"step": step, "percent": percent}, _LIVE_TTL)


def job_live_step(*, job: Job) -> dict[str, Any]:
    """``{"step", "percent"}`` of a job: live from the cache while it runs, else from its record."""
    if job.state == Job.State.RUNNING:
        with in_public_schema():
            live = cache.get(_live_key(job.pk))
        if live:
            return live
    percent = {Job.State.QUEUED: 0, Job.State.RUNNING: 5, Job.State.READY: 100, Job.State.FAILED: 100}[job.state]
    return {"step": job.step, "percent": percent}


def job_mark(
    *,
    job: Job,
    state: str,
    step: str | None = None,
    error: str = "",
    result: dict | None = None,
    percent: float | None = None,
) -> Job:
    """Commit a change of a job's state at once (outside any work transaction of the caller's).

    ``percent`` defaults to 100 for a job that ended well, to where it was for one that failed or runs.
    """
    job.state = state
    job.step = (step or state)[:60]
    job.error = error
    if result is not None:
        job.result = result
    if percent is not None:
        job.percent = _bounded(percent)
    elif state == Job.State.READY:
        job.percent = 100
    if state == Job.State.RUNNING and job.started_at is None:
        job.started_at = timezone.now()
    if state in (Job.State.READY, Job.State.FAILED):
        job.finished_at = timezone.now()
    fields = ("state", "step", "percent", "error", "result", "started_at", "finished_at")
    with in_public_schema(), transaction.atomic():  # an update, not save(): the job may outlive its subject
        Job.objects.filter(pk=job.pk).update(**{name: getattr(job, name) for name in fields})
    job_publish_step(job=job, step=job.step, percent=100 if job.is_finished else max(job.percent, 5))
    return job


def job_progress(*, job: Job, step: str, percent: float) -> Job:
    """A running job reached ``step`` at ``percent``: written to its row at once and published live."""
    job.step = step[:60]
    job.percent = _bounded(percent)
    with in_public_schema():
        Job.objects.filter(pk=job.pk).update(step=job.step, percent=job.percent)
    job_publish_step(job=job, step=job.step, percent=job.percent)
    return job


def job_fail(*, job: Job, error: BaseException, step: str = "failed", fields: bool = True) -> str:
    """Mark ``job`` failed with the reason a person reads (``tenants.errors``); the reason."""
    reason = error_for_people(error, fields=fields)
    job_mark(job=job, state=Job.State.FAILED, step=step, error=reason)
    return reason


def job_progress_reporter(*, job: Job, progress: ProgressCallback | None) -> ProgressCallback:
    """A progress callback for work inside one transaction: each step is published live (the row cannot
    show it before the commit) and passed on to the caller's own ``progress`` (a CLI's progress bar)."""

    def publish(step: str, percent: int) -> None:
        job_publish_step(job=job, step=step, percent=percent)
        if progress is not None:
            progress(step, percent)

    return publish


def job_between(start: float, end: float, done: float, total: float) -> float:
    """The percentage reached between two steps' percentages when ``done`` of ``total`` items are done."""
    return start + (end - start) * (done / total if total else 1)


def _bounded(percent: float) -> int:
    return max(0, min(100, int(percent)))


def job_create(*, kind: str, organisation: Any, requested_by: str, payload: dict | None = None) -> Job:
    return Job.objects.create(
        kind=kind,
        organisation=organisation,
        organisation_slug=organisation.slug,
        requested_by=requested_by,
        payload=payload or {},
    )


_TASKS = {
    Job.Kind.PROVISION: "tenants.provision",
    Job.Kind.EXPORT: "tenants.export",
    Job.Kind.IMPORT: "tenants.import",
    Job.Kind.DELETE: "tenants.delete",
}


def job_enqueue(*, job: Job) -> Job:
    """Queue the job's task once the current transaction commits (never a task for a rolled-back job)."""

    def send() -> None:
        with in_public_schema():
            current_app.send_task(_TASKS[job.kind], args=[str(job.pk)])

    transaction.on_commit(send)
    return job
