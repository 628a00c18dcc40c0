"""Fleet migrations over many organisations: a no-op run, then a new migration applied to all of them.

    DJANGO_SETTINGS_MODULE=benchmarks.settings_bench python benchmarks/fleet.py [--orgs 1000] [--workers 2]
    (or: make bench-fleet BENCH_ARGS="--orgs 50")

In a fresh database of its own (``govsquare_bench_fleet``, dropped and recreated first, dropped again at
the end unless ``--keep``), with a benchmark-only organisation app ``benchmarks.fleet_probe`` whose
migrations are written to a temporary folder (the project's tree is not touched):

1. provision: the public schema and the template are migrated/built, then ``--orgs`` real organisations
   are made through ``organisation_create`` (registry row, domain, schema cloned from the template,
   Wagtail site tree, invited administrator), in parallel processes; timed and checked.
2. no-op: ``fleet_migrate`` over all of them with nothing to apply (target <= 10 s).
3. apply: migration ``fleet_probe.0002`` (an AddField) is added; ``fleet_migrate`` applies it to the
   public schema, builds the new template and migrates every organisation schema.
4. no-op again, then a check that every organisation schema has the new column and none is behind.

Each fleet step runs in a fresh process, so the settings and the migrations on disk are read again.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))

from benchmarks.common import (  # noqa: E402 - needs the repository root on sys.path
    bench_database_name,
    bench_environment,
    database_drop,
    database_recreate,
    django_start,
    figures,
    machine_line,
    public_schema_migrate,
)

# This benchmark's database and settings, then Django; the project's modules only after that. Every
# process runs this: the orchestrator (which never uses Django), each phase (a fresh process, so the
# settings and the probe migrations on disk are read again) and the phase's spawned provisioning workers.
DATABASE = bench_database_name(default="govsquare_bench_fleet")
bench_environment(database=DATABASE)
django_start()

from django.db import connection, connections  # noqa: E402 - after django.setup()

from tenants.fleet import FleetEvent, fleet_migrate  # noqa: E402 - after django.setup()
from tenants.models import Domain, Organisation  # noqa: E402 - after django.setup()
from tenants.provisioning import organisation_create  # noqa: E402 - after django.setup()
from tenants.schema_template import ensure_template_schema, template_schema_name  # noqa: E402 - after django.setup()
from tenants.selectors import schemas_behind_migrations  # noqa: E402 - after django.setup()

NOOP_TARGET = 10.0
PROBE_PACKAGE = "fleet_probe_migrations"
SLUG_PREFIX = "fleet"
MIGRATION_0001 = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Probe",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=40)),
            ],
        ),
    ]
"""
MIGRATION_0002 = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("fleet_probe", "0001_initial")]
    operations = [
        migrations.AddField(
            model_name="probe", name="note", field=models.CharField(blank=True, default="", max_length=40)
        ),
    ]
"""


def say(message: str) -> None:
    print(f"[bench-fleet] {message}", flush=True)


# --- Orchestration (no Django used here) ----------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=1000, help="organisations to provision (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="fleet worker processes (default 2)")
    parser.add_argument("--provision-workers", type=int, default=2, help="processes provisioning (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--phase", choices=["provision", "noop", "apply", "verify"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        return PHASES[args.phase](args)

    folder = Path(tempfile.mkdtemp(prefix="govsquare-bench-fleet-"))
    package = folder / PROBE_PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "0001_initial.py").write_text(MIGRATION_0001)
    say(f"database {DATABASE} (dropped and recreated); probe migrations in {package}")
    database_recreate(database=DATABASE)
    walls: dict[str, float] = {}
    try:
        common = ["--orgs", str(args.orgs), "--workers", str(args.workers)]
        common += ["--provision-workers", str(args.provision_workers)]
        walls["provision"] = run_phase("provision", common, folder=folder, probe_phase=1)
        walls["no-op"] = run_phase("noop", common, folder=folder, probe_phase=1)
        (package / "0002_probe_note.py").write_text(MIGRATION_0002)
        say("added migration fleet_probe.0002_probe_note (AddField) -- the fleet now has one migration to apply")
        walls["apply"] = run_phase("apply", common, folder=folder, probe_phase=2)
        walls["no-op after"] = run_phase("noop", common, folder=folder, probe_phase=2)
        walls["verify"] = run_phase("verify", common, folder=folder, probe_phase=2)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if not args.keep:
            database_drop(database=DATABASE)
            say(f"dropped {DATABASE} (use --keep to keep it)")
    say("wall time per phase process (incl. start-up): " + ", ".join(f"{k} {v:.1f}s" for k, v in walls.items()))
    return 0


def run_phase(phase: str, arguments: list[str], *, folder: Path, probe_phase: int) -> float:
    env = os.environ | {"BENCH_FLEET_PROBE_MIGRATIONS": str(folder), "BENCH_FLEET_PROBE_PHASE": str(probe_phase)}
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--phase", phase, *arguments], env=env, check=True)  # noqa: S603
    return time.perf_counter() - started


# --- Phases (each in a fresh process) -------------------------------------------------------------------


def phase_provision(args: argparse.Namespace) -> int:
    say(machine_line())
    say(f"public schema migrated in {public_schema_migrate():.1f}s")
    started = time.perf_counter()
    template = ensure_template_schema()
    say(f"template {template} built in {time.perf_counter() - started:.1f}s")
    numbers = list(range(1, args.orgs + 1))
    chunk = 10
    batches = [numbers[i : i + chunk] for i in range(0, len(numbers), chunk)]
    say(f"provisioning {args.orgs} organisations with {args.provision_workers} processes (template clone)...")
    connections.close_all()
    started = time.perf_counter()
    seconds: list[float] = []
    step = max(chunk, (args.orgs // 10) // chunk * chunk)
    # The spawned workers import this module, which sets Django up.
    with ProcessPoolExecutor(max_workers=args.provision_workers, mp_context=get_context("spawn")) as executor:
        futures = [executor.submit(provision_batch, batch) for batch in batches]
        for future in as_completed(futures):
            seconds += future.result()
            if len(seconds) % step == 0 or len(seconds) == args.orgs:
                elapsed = time.perf_counter() - started
                say(f"  {len(seconds):>5}/{args.orgs} organisations, {elapsed:.1f}s, {len(seconds) / elapsed:.1f}/s")
    elapsed = time.perf_counter() - started
    f = figures(seconds)
    say(
        f"provisioned {args.orgs} organisations in {elapsed:.1f}s ({args.orgs / elapsed:.1f} per second); "
        f"each: p50 {f.p50:.3f}s p95 {f.p95:.3f}s (with {args.provision_workers} processes on a shared machine)"
    )
    check_registry(count=args.orgs)
    return 0


def provision_batch(numbers: list[int]) -> list[float]:
    seconds = []
    for number in numbers:
        slug = f"{SLUG_PREFIX}-{number:04d}"
        started = time.perf_counter()
        organisation_create(name=f"Fleet organisation {number:04d}", slug=slug, admin_email=f"admin@{slug}.example")
        seconds.append(time.perf_counter() - started)
    return seconds


def check_registry(*, count: int) -> None:
    """Registry rows, primary domains and schemas: one of each per organisation."""
    organisations = Organisation.objects.filter(slug__startswith=f"{SLUG_PREFIX}-", status="active").count()
    domains = Domain.objects.filter(tenant__slug__startswith=f"{SLUG_PREFIX}-", is_primary=True).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_namespace n JOIN tenants_organisation o ON o.schema_name = n.nspname "
            "WHERE o.slug LIKE %s",
            [f"{SLUG_PREFIX}-%"],
        )
        schemas = cursor.fetchone()[0]
    say(f"checked: {organisations} active organisations, {domains} primary domains, {schemas} schemas")
    assert organisations == domains == schemas == count, (organisations, domains, schemas, count)


def run_fleet(args: argparse.Namespace, *, label: str):  # type: ignore[no-untyped-def]
    step = max(1, args.orgs // 10)

    def progress(event: FleetEvent) -> None:
        if event.outcome == "failed":
            say(f"  FAILED {event.schema}: {event.error}")
        elif not event.total:
            say(f"  {event.schema}: {event.outcome} ({event.seconds:.2f}s)")
        elif event.outcome == "migrated" and (event.done % step == 0 or event.done == event.total):
            say(f"  [{event.done}/{event.total}] migrated {event.schema}")

    started = time.perf_counter()
    report = fleet_migrate(workers=args.workers, progress=progress)
    wall = time.perf_counter() - started
    steps = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in report.step_seconds.items())
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    this = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(
        f"{label}: fleet_migrate took {wall:.2f}s -- public {report.public}, template "
        f"{'built' if report.template_built else 'up to date'}, {len(report.up_to_date)} up to date (skipped), "
        f"{len(report.migrated)} migrated, {len(report.failed)} failed; steps: {steps}; "
        f"worker processes in parallel: {report.workers_used}"
    )
    say(f"{label}: peak memory: this process {this:.0f} MB, largest worker {children:.0f} MB")
    return report, wall


def phase_noop(args: argparse.Namespace) -> int:
    report, wall = run_fleet(args, label="no-op")
    verdict = "met" if wall <= NOOP_TARGET else "NOT met"
    say(
        f"no-op fleet_migrate over {len(report.up_to_date)} schemas: {wall:.2f}s "
        f"(target <= {NOOP_TARGET:.0f}s: {verdict})"
    )
    assert not report.migrated and not report.failed, report
    return 0


def phase_apply(args: argparse.Namespace) -> int:
    report, wall = run_fleet(args, label="new migration")
    per = (report.step_seconds.get("schemas", 0.0) / len(report.migrated)) if report.migrated else 0.0
    say(
        f"new migration applied to {len(report.migrated)} organisation schemas in {wall:.1f}s "
        f"(organisation schemas alone: {report.step_seconds.get('schemas', 0.0):.1f}s, {per:.3f}s per schema "
        f"with {report.workers_used} workers; public {report.step_seconds.get('public', 0.0):.1f}s, "
        f"new template {report.step_seconds.get('template', 0.0):.1f}s)"
    )
    assert report.ok and len(report.migrated) == args.orgs, (len(report.migrated), report.failed[:5])
    return 0


def phase_verify(args: argparse.Namespace) -> int:
    names = list(Organisation.objects.values_list("schema_name", flat=True))
    behind = schemas_behind_migrations(schema_names=names)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'fleet_probe_probe' "
            "AND column_name = 'note' AND table_schema = ANY(%s)",
            [names],
        )
        with_column = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'fleet_probe_probe' "
            "AND column_name = 'note' AND table_schema = %s",
            [template_schema_name()],
        )
        template_has_it = cursor.fetchone()[0] == 1
    say(
        f"checked: {len(names)} organisation schemas, {len(behind)} behind, {with_column} with the new column; "
        f"template has it: {template_has_it}"
    )
    assert not behind and with_column == len(names) == args.orgs and template_has_it
    return 0


PHASES = {"provision": phase_provision, "noop": phase_noop, "apply": phase_apply, "verify": phase_verify}


if __name__ == "__main__":
    sys.exit(main())
