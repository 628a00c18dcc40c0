"""``org_domain_remove SLUG DOMAIN``: stop answering on a (non-primary) domain."""

from django.core.management.base import BaseCommand, CommandParser

from tenants.audit import Actor
from tenants.management.commands._cli import OrganisationCommand, organisation_or_error
from tenants.services import organisation_domain_remove


class Command(OrganisationCommand, BaseCommand):
    help = "Remove a domain from an organisation (not its primary domain)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("domain")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        organisation = organisation_or_error(options["slug"])
        self.run_service(
            lambda: organisation_domain_remove(organisation=organisation, domain=options["domain"], actor=Actor.cli())
        )
        self.stdout.write(f"{options['domain']} removed from {organisation.slug}")
