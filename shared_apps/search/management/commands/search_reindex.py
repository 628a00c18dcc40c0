"""``manage.py search_reindex [--organisation SLUG] [--groups]``: rebuild the platform search index now.

No option: every active organisation and every group. ``--organisation``: that organisation only (may
be given more than once); ``--groups``: the groups only (with ``--organisation``: those and the groups).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shared_apps.search.services import platform_reindex
from tenants.models import Organisation


class Command(BaseCommand):
    help = "Rebuild the platform search index: every active organisation and group, or the ones named."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--organisation", action="append", default=[], metavar="SLUG", help="this organisation")
        parser.add_argument("--groups", action="store_true", help="the groups")

    def handle(self, *args: Any, organisation: list[str], groups: bool, **options: Any) -> None:
        chosen = None
        if organisation:
            found = {o.slug: o for o in Organisation.objects.filter(slug__in=organisation)}
            missing = sorted(set(organisation) - set(found))
            if missing:
                raise CommandError(f"No organisation with the slug {', '.join(missing)}.")
            chosen = [found[slug] for slug in organisation]
        elif groups:
            chosen = []
        counts = platform_reindex(organisations=chosen, groups=groups or not organisation)
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} entries")
