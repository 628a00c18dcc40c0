"""``org_show SLUG``: one organisation in full: domains, apps, status, recent jobs and audit trail."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from tenants.management.commands._cli import organisation_or_error
from tenants.models import AuditEvent


class Command(BaseCommand):
    help = "Show one organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, **options) -> None:  # type: ignore[no-untyped-def]
        o = organisation_or_error(options["slug"])
        data = {
            "slug": o.slug,
            "name": o.name,
            "status": o.status,
            "schema": o.schema_name,
            "blueprint": f"{o.blueprint} v{o.blueprint_version}",
            "default_visibility": o.default_visibility,
            "apps": o.enabled_apps,
            "domains": [{"domain": d.domain, "primary": d.is_primary} for d in o.domains.all()],
            "email_domains": list(o.email_domains.values_list("domain", flat=True)),
            "suspension_reason": o.suspension_reason,
            "last_exported_at": o.last_exported_at.isoformat() if o.last_exported_at else None,
            "deletion_due_at": o.deletion_due_at.isoformat() if o.deletion_due_at else None,
            "jobs": [{"id": str(j.pk), "kind": j.kind, "state": j.state, "error": j.error} for j in o.jobs.all()[:10]],
            "audit": [
                {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "outcome": e.outcome}
                for e in AuditEvent.objects.filter(organisation_id=o.pk)[:20]
            ],
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        for key in ("slug", "name", "status", "schema", "blueprint", "default_visibility"):
            self.stdout.write(f"{key:<20} {data[key]}")
        self.stdout.write(f"{'apps':<20} {', '.join(data['apps']) or '-'}")
        for d in data["domains"]:
            self.stdout.write(f"{'domain':<20} {d['domain']}{'  (primary)' if d['primary'] else ''}")
        self.stdout.write(f"{'email domains':<20} {', '.join(data['email_domains']) or '-'}")
        for key in ("suspension_reason", "last_exported_at", "deletion_due_at"):
            if data[key]:
                self.stdout.write(f"{key:<20} {data[key]}")
        for e in data["audit"]:
            self.stdout.write(f"audit  {e['at'][:19]}  {e['outcome']:<8} {e['action']:<32} {e['actor']}")
