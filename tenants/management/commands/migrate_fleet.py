"""``manage.py migrate_fleet``: migrate the public schema, the template and every organisation/pool schema.

Thin: the work is ``tenants.fleet.fleet_migrate``. Exits non-zero, naming them, when any schema failed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.fleet import FleetError, FleetEvent, FleetReport, fleet_migrate, fleet_preview


class Command(BaseCommand):
    help = (
        "Migrate the public schema, rebuild the template if the migrations changed, and migrate every "
        "organisation and warm-pool schema that is behind, in parallel worker processes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="Worker processes (default 2).")
        parser.add_argument(
            "--schema",
            action="append",
            dest="schemas",
            metavar="NAME",
            help="Only this organisation or pool schema (repeatable). Public and template are always done.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what is behind; change nothing.")

    def handle(self, *args: object, **options: object) -> None:
        # Every schema gets a line; with -v 0 only the schemas that were migrated or failed.
        self.every_schema = int(options["verbosity"]) >= 1
        schemas = options["schemas"] or None
        workers = options["workers"]
        if not isinstance(workers, int) or workers < 1:
            raise CommandError("--workers must be at least 1.")
        try:
            if options["dry_run"]:
                self._dry_run(schemas=schemas)
                return
            report = fleet_migrate(workers=workers, schemas=schemas, progress=self._progress)
        except FleetError as exc:
            raise CommandError(str(exc)) from exc
        self._summary(report)
        if report.failed:
            names = ", ".join(failure.schema for failure in report.failed)
            raise CommandError(f"{len(report.failed)} schema(s) failed to migrate: {names}")

    def _dry_run(self, *, schemas: list[str] | None) -> None:
        preview = fleet_preview(schemas=schemas)
        plan = preview.plan
        public = f"{preview.public_behind} migration(s) behind" if preview.public_behind else "up to date"
        self.stdout.write(f"public: {public}")
        template = "present" if preview.template_present else "missing: would be built"
        self.stdout.write(f"template {preview.template}: {template}")
        for name in plan.schemas:
            if name in plan.behind:
                self.stdout.write(f"{name}: {plan.behind[name]} leaf migration(s) behind: would be migrated")
            elif self.every_schema:
                self.stdout.write(f"{name}: up to date")
        for name in plan.provisioning:
            self.stdout.write(f"{name}: being provisioned: skipped")
        self.stdout.write(
            f"Dry run: {len(plan.up_to_date)} up to date, {len(plan.behind)} would be migrated, nothing changed."
        )

    def _progress(self, event: FleetEvent) -> None:
        counter = f"[{event.done}/{event.total}] " if event.total else ""
        timing = f" ({event.seconds:.2f}s)" if event.seconds else ""
        line = f"{counter}{event.schema}: {event.outcome}{timing}"
        if event.error:
            self.stderr.write(f"{line}: {event.error}")
        elif event.outcome != "up to date" or self.every_schema:
            self.stdout.write(line)

    def _summary(self, report: FleetReport) -> None:
        skipped = f", {len(report.skipped_provisioning)} being provisioned" if report.skipped_provisioning else ""
        self.stdout.write(
            f"Fleet: public {report.public}; template {report.template} "
            f"{'built' if report.template_built else 'up to date'}; {len(report.up_to_date)} up to date "
            f"(skipped), {len(report.migrated)} migrated, {len(report.failed)} failed{skipped}; "
            f"{report.seconds:.2f}s in total."
        )
        for failure in report.failed:
            self.stderr.write(f"  failed: {failure.schema}: {failure.error}")
        if report.not_attempted:
            self.stderr.write(f"  not attempted: {len(report.not_attempted)} schema(s)")
