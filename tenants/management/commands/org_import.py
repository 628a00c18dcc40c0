"""``manage.py org_import ARCHIVE [--slug S] [--name N]``: create an organisation from an export archive now.

All or nothing: a refused or failed import leaves no organisation, schema or media behind.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.archive.importer import organisation_import
from tenants.audit import Actor
from tenants.errors import error_for_people
from tenants.management.commands.org_export import ProgressBar


class Command(BaseCommand):
    help = "Create an organisation from an export archive (under its own slug, or --slug for a second copy)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("archive", help="the .tar.gz archive written by org_export")
        parser.add_argument("--slug", help="import under this slug instead of the archive's")
        parser.add_argument("--name", help="give the organisation this name instead of the archive's")

    def handle(
        self, *args: Any, archive: str, slug: str | None = None, name: str | None = None, **options: Any
    ) -> None:
        bar = ProgressBar(self.stderr)
        try:
            organisation = organisation_import(
                archive_path=archive, actor=Actor.cli(), slug=slug, name=name, progress=bar
            )
        except (ValidationError, OSError) as exc:
            bar.close()
            raise CommandError(error_for_people(exc) if isinstance(exc, ValidationError) else str(exc)) from exc
        bar.close()
        port = settings.PLATFORM_PORT
        suffix = "" if port in (80, 443) else f":{port}"
        url = f"{settings.PLATFORM_SCHEME}://{organisation.primary_host()}{suffix}/"
        self.stdout.write(f"Imported {organisation.name} as '{organisation.slug}': {url}")
