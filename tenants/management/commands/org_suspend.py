"""``org_suspend SLUG --reason …``: take a subsite offline behind a "suspended" page; data is kept."""

from django.core.management.base import BaseCommand, CommandParser

from tenants.audit import Actor
from tenants.management.commands._cli import OrganisationCommand, organisation_or_error
from tenants.services import organisation_suspend


class Command(OrganisationCommand, BaseCommand):
    help = "Suspend an organisation's subsite (its data is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--reason", default="", help="recorded in the audit trail")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        organisation = organisation_or_error(options["slug"])
        self.run_service(
            lambda: organisation_suspend(organisation=organisation, reason=options["reason"], actor=Actor.cli())
        )
        self.stdout.write(f"{organisation.slug} is suspended")
