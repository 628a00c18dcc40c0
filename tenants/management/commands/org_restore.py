"""``org_restore SLUG``: undo a scheduled deletion during the grace period."""

from django.core.management.base import BaseCommand, CommandParser

from tenants.audit import Actor
from tenants.management.commands._cli import OrganisationCommand, organisation_or_error
from tenants.services import organisation_restore


class Command(OrganisationCommand, BaseCommand):
    help = "Restore an organisation that is scheduled for deletion."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        organisation = organisation_or_error(options["slug"])
        self.run_service(lambda: organisation_restore(organisation=organisation, actor=Actor.cli()))
        self.stdout.write(f"{organisation.slug} is restored")
