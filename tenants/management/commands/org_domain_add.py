"""``org_domain_add SLUG DOMAIN [--primary]``: let a subsite answer on another domain."""

from django.core.management.base import BaseCommand, CommandParser

from tenants.audit import Actor
from tenants.management.commands._cli import OrganisationCommand, organisation_or_error
from tenants.services import organisation_domain_add


class Command(OrganisationCommand, BaseCommand):
    help = "Add a domain to an organisation (other domains redirect to the primary one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("domain")
        parser.add_argument("--primary", action="store_true", help="make it the primary domain")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        organisation = organisation_or_error(options["slug"])
        domain = self.run_service(
            lambda: organisation_domain_add(
                organisation=organisation, domain=options["domain"], make_primary=options["primary"], actor=Actor.cli()
            )
        )
        self.stdout.write(f"{domain.domain} added to {organisation.slug}{' as primary' if domain.is_primary else ''}")
