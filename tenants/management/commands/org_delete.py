"""``org_delete SLUG [--force] [--now --yes]``: schedule deletion after the grace period (or purge now).

Deletion needs an export first (``org_export``) unless ``--force``. During the grace period
``org_restore`` brings the organisation back; afterwards the scheduler purges it. ``--now`` purges
at once (the schema, media and registry rows go; accounts stay) and needs ``--yes``.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.audit import Actor
from tenants.management.commands._cli import OrganisationCommand, ProgressBar, organisation_or_error
from tenants.models import Organisation
from tenants.services import organisation_purge_request, organisation_purge_run, organisation_schedule_deletion


class Command(OrganisationCommand, BaseCommand):
    help = "Delete an organisation: scheduled with a grace period, or at once with --now --yes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--force", action="store_true", help="allow deletion without an export")
        parser.add_argument("--now", action="store_true", help="purge at once instead of after the grace period")
        parser.add_argument("--yes", action="store_true", help="confirm --now")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        organisation = organisation_or_error(options["slug"])
        actor = Actor.cli()
        if options["now"] and not options["yes"]:
            raise CommandError("--now deletes the data at once and cannot be undone; add --yes to confirm.")
        if organisation.status != Organisation.Status.PENDING_DELETION:
            self.run_service(
                lambda: organisation_schedule_deletion(organisation=organisation, force=options["force"], actor=actor)
            )
        if not options["now"]:
            days = settings.ORGANISATION_DELETION_GRACE_DAYS
            self.stdout.write(
                f"{organisation.slug} is scheduled for deletion on {organisation.deletion_due_at:%Y-%m-%d %H:%M} "
                f"({days} days); org_restore {organisation.slug} undoes it until then"
            )
            return
        job = self.run_service(
            lambda: organisation_purge_request(organisation=organisation, actor=actor, ignore_grace=True, enqueue=False)
        )
        try:
            organisation_purge_run(job=job, progress=ProgressBar(self.stderr._out))
        except Exception as exc:  # the job records the reason; the terminal gets one line
            raise CommandError(f"Deletion failed: {job.error or exc}") from exc
        self.stdout.write(f"{options['slug']} is deleted")
