"""What the organisation commands share: lookup, errors as one line, a progress bar, the CLI actor."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from tenants.jobs import job_live_step
from tenants.models import Job, Organisation


def organisation_or_error(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise CommandError(f"No organisation with the slug '{slug}'.") from None


def one_line(error: BaseException) -> str:
    """A ValidationError (or any error) as one line for the terminal."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        return " ".join(error.messages)
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class ProgressBar:
    """``[##########----------]  50% seeding site`` on a terminal; one line per step otherwise."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.last = None
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, step: str, percent: int) -> None:
        if (step, percent) == self.last:
            return
        self.last = (step, percent)
        filled = int(self.width * percent / 100)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {percent:3d}% {step.replace('_', ' ')}"
        if self.tty:
            self.stream.write("\r" + line.ljust(self.width + 30) + ("\n" if percent >= 100 else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def follow_job(job: Job, *, progress: ProgressBar, timeout: float) -> Job:
    """Show a queued job's progress until it ends (or ``timeout`` seconds pass)."""
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        live = job_live_step(job=job)
        progress(live["step"], live["percent"])
        if job.is_finished:
            return job
        if time.monotonic() > deadline:
            raise CommandError(f"Job {job.pk} is still {job.state} after {timeout:.0f}s; is a Celery worker running?")
        time.sleep(0.3)


class OrganisationCommand:
    """Mixin for ``org_*`` commands that act on one organisation: turns any refusal into one line."""

    def run_service(self, call):  # type: ignore[no-untyped-def]
        try:
            return call()
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from exc
