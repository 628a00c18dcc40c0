"""``org_list``: the organisations, their status and primary domain."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from tenants.selectors import organisation_list


class Command(BaseCommand):
    help = "List organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--status", help="only organisations with this status")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        organisations = organisation_list()
        if options["status"]:
            organisations = organisations.filter(status=options["status"])
        rows = [
            {
                "slug": o.slug,
                "name": o.name,
                "status": o.status,
                "primary_domain": next((d.domain for d in o.domains.all() if d.is_primary), ""),
                "created_at": o.created_at.isoformat(),
            }
            for o in organisations
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['slug']:<24} {row['status']:<17} {row['primary_domain']:<40} {row['name']}")
        self.stdout.write(f"{len(rows)} organisation(s)")
