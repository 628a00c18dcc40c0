"""``operator_token_create EMAIL NAME``: a bearer token for the operator API. The key is printed once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shared_apps.accounts.selectors import account_find_by_email
from shared_apps.operator.services import operator_token_create
from tenants.audit import Actor


class Command(BaseCommand):
    help = "Create an operator API token for an operator's account and print its key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("name", help="what the token is for, e.g. 'terraform' or 'ci'")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        account = account_find_by_email(email=options["email"])
        if account is None:
            raise CommandError(f"No account with the e-mail address {options['email']}.")
        try:
            token, raw_key = operator_token_create(account=account, name=options["name"], actor=Actor.cli())
        except ValidationError as exc:
            raise CommandError("; ".join(f"{field}: {' '.join(m)}" for field, m in exc.message_dict.items())) from exc
        self.stderr.write(f"Token '{token.name}' ({token.prefix}…) for {account.email}. The key is shown only once:")
        self.stdout.write(raw_key)
