"""``operator_grant EMAIL [--revoke]``: give an account the platform operator role, or take it away."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shared_apps.accounts.selectors import account_find_by_email
from shared_apps.operator.services import account_set_platform_operator
from tenants.audit import Actor


class Command(BaseCommand):
    help = "Make an account a platform operator (operator pages and API); --revoke takes the role away."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--revoke", action="store_true", help="take the operator role away")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        account = account_find_by_email(email=options["email"])
        if account is None:
            raise CommandError(f"No account with the e-mail address {options['email']}.")
        value = not options["revoke"]
        account_set_platform_operator(account=account, value=value, actor=Actor.cli())
        if value:
            self.stdout.write(f"{account.email} is a platform operator")
        else:
            self.stdout.write(f"{account.email} is no longer a platform operator (its tokens stop working)")
