"""``org_domain_primary SLUG DOMAIN``: make a domain primary; the others answer with a 301 to it."""

from django.core.management.base import BaseCommand, CommandParser

from tenants.audit import Actor
from tenants.management.commands._cli import OrganisationCommand, organisation_or_error
from tenants.services import organisation_domain_set_primary


class Command(OrganisationCommand, BaseCommand):
    help = "Make one of an organisation's domains its primary domain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("domain")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        organisation = organisation_or_error(options["slug"])
        domain = self.run_service(
            lambda: organisation_domain_set_primary(
                organisation=organisation, domain=options["domain"], actor=Actor.cli()
            )
        )
        self.stdout.write(f"{domain.domain} is now the primary domain of {organisation.slug}")
