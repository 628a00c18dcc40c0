"""``manage.py sso_sync_clients``: every organisation gets its OpenID Connect client, matching its domains.

Idempotent; ``make run`` calls it after the demo data. New organisations get their client while being
provisioned or imported, and domain changes keep it in step, so this is for organisations made before
single sign-on existed, after a change of ``PLATFORM_SCHEME``/``PLATFORM_PORT``, or -- with
``--reset-secrets`` -- after rotating ``SECRET_KEY`` (client secrets are derived from it).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shared_apps.identity_provider.services import oidc_clients_sync_all


class Command(BaseCommand):
    help = "Create or update the OpenID Connect client of every organisation; remove clients of deleted ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-secrets", action="store_true", help="Store the secrets derived from the current SECRET_KEY."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = oidc_clients_sync_all(reset_secrets=options["reset_secrets"])
        self.stdout.write(
            f"sign-on clients: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed"
        )
        for label, slugs in (("created", report.created), ("updated", report.updated), ("removed", report.removed)):
            if slugs:
                self.stdout.write(f"  {label}: {', '.join(slugs)}")
