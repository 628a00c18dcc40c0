"""``org_create``: provision an organisation (synchronously with a progress bar, or as a background job)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sites.blueprints import BLUEPRINTS, DEFAULT_BLUEPRINT
from tenants.audit import Actor
from tenants.jobs import job_enqueue
from tenants.management.commands._cli import ProgressBar, follow_job, one_line
from tenants.models import Job
from tenants.provisioning import ProvisioningFailed, organisation_provision_run, organisation_provision_submit


class Command(BaseCommand):
    help = "Provision a new organisation with its own intranet subsite."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="lower-case letters, digits and hyphens; becomes <slug>.<PLATFORM_DOMAIN>")
        parser.add_argument("--name", required=True, help="display name")
        parser.add_argument("--domain", action="append", default=[], dest="domains", help="domain (repeatable)")
        parser.add_argument(
            "--email-domain", action="append", default=[], dest="email_domains", help="staff e-mail domain"
        )
        parser.add_argument("--blueprint", default=DEFAULT_BLUEPRINT, help=f"one of: {', '.join(BLUEPRINTS)}")
        parser.add_argument("--admin-email", default="", help="first administrator (invited)")
        parser.add_argument("--app", action="append", dest="apps", help="app from the catalogue (repeatable)")
        parser.add_argument("--language", default="", help="language the site is seeded in (nl, en; default nl)")
        parser.add_argument("--async", action="store_true", dest="background", help="run as a Celery job")
        parser.add_argument("--no-wait", action="store_true", help="with --async: print the job id and return")
        parser.add_argument("--timeout", type=float, default=300.0)

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        try:
            job = organisation_provision_submit(
                actor=Actor.cli(),
                name=options["name"],
                slug=options["slug"],
                domains=options["domains"],
                email_domains=options["email_domains"],
                blueprint=options["blueprint"],
                admin_email=options["admin_email"],
                apps=options["apps"],
                language=options["language"],
            )
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from exc
        progress = ProgressBar(self.stderr._out)
        if options["background"]:
            job_enqueue(job=job)
            if options["no_wait"]:
                self.stdout.write(f"queued job {job.pk}")
                return
            job = follow_job(job, progress=progress, timeout=options["timeout"])
            if job.state == Job.State.FAILED:
                raise CommandError(f"Provisioning failed: {job.error}")
        else:
            try:
                organisation_provision_run(job=job, progress=progress)
            except ProvisioningFailed as exc:
                raise CommandError(f"Provisioning failed: {exc}") from exc
        self.stdout.write(f"{job.organisation_slug} is ready on {job.payload['domains'][0]}")
