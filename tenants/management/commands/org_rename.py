"""``org_rename SLUG NAME``: change an organisation's display name (registry and site)."""

from django.core.management.base import BaseCommand, CommandParser

from tenants.audit import Actor
from tenants.management.commands._cli import OrganisationCommand, organisation_or_error
from tenants.services import organisation_rename


class Command(OrganisationCommand, BaseCommand):
    help = "Change an organisation's display name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("name")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        organisation = organisation_or_error(options["slug"])
        self.run_service(
            lambda: organisation_rename(organisation=organisation, name=options["name"], actor=Actor.cli())
        )
        self.stdout.write(f"{organisation.slug} is now called {organisation.name}")
