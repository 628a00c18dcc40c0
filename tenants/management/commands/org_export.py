"""``manage.py org_export SLUG [--output DIR]``: write an organisation's export archive now (synchronous).

Prints the archive's path on stdout; a progress bar goes to stderr.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from tenants.archive.export import organisation_export
from tenants.audit import Actor
from tenants.errors import error_for_people
from tenants.models import Organisation
from tenants.selectors import organisation_get


class ProgressBar:
    """A one-line text progress bar, ``[#######.......]  50% reading database``, redrawn in place."""

    def __init__(self, stream: OutputWrapper, *, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self._last: tuple[str, int] | None = None

    def __call__(self, step: str, percent: int) -> None:
        if (step, percent) == self._last:
            return
        self._last = (step, percent)
        filled = self.width * percent // 100
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {percent:3d}% {step.replace('_', ' '):<20}", style_func=str, ending="")
        self.stream.flush()

    def close(self) -> None:
        if self._last is not None:
            self.stream.write("", style_func=str, ending="\n")
            self._last = None


class Command(BaseCommand):
    help = "Export an organisation to one .tar.gz archive (its tables, media and manifest) and print its path."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("slug", help="the organisation's slug")
        parser.add_argument("--output", metavar="DIR", help="where to write the archive (default: EXPORT_ROOT)")

    def handle(self, *args: Any, slug: str, output: str | None = None, **options: Any) -> None:
        try:
            organisation = organisation_get(slug=slug)
        except Organisation.DoesNotExist:
            raise CommandError(f"There is no organisation with the slug '{slug}'.") from None
        bar = ProgressBar(self.stderr)
        try:
            path = organisation_export(organisation=organisation, actor=Actor.cli(), progress=bar, directory=output)
        except (ValidationError, OSError) as exc:
            bar.close()
            raise CommandError(error_for_people(exc) if isinstance(exc, ValidationError) else str(exc)) from exc
        bar.close()
        self.stdout.write(str(path))
