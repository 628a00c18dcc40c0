"""How long a new organisation takes, end to end, by each way of making its schema.

    DJANGO_SETTINGS_MODULE=benchmarks.settings_bench python benchmarks/provision.py   (or: make bench-provision)

In a fresh database of its own (``govsquare_bench``, dropped and recreated first), each organisation is
made completely: registry row, domain, schema, Wagtail site tree from the blueprint, invited first
administrator, audit record and job. Only the way the schema is made differs:

* fast path: cloned from the template schema (pool size 0) -- ``organisation_create``;
* warm pool: a spare schema renamed (the pool is filled first, untimed) -- ``organisation_create``;
* migrations path (django-tenants' default): ``CREATE SCHEMA`` and every migration run in it, then the
  same site, domain and invitation steps.

The template is built once before the runs (untimed, printed). Each organisation is timed from the
call to its return.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))

from benchmarks.common import (  # noqa: E402 - needs the repository root on sys.path
    Figures,
    bench_database_name,
    bench_environment,
    database_recreate,
    django_start,
    figures,
    machine_line,
    public_schema_migrate,
)

# This benchmark's database and settings, then Django; the project's modules only after that. Nothing
# connects to the database before main() has dropped and recreated it.
DATABASE = bench_database_name()
bench_environment(database=DATABASE)
django_start()

from django.core.management import call_command  # noqa: E402 - after django.setup()
from django.core.management.commands.migrate import (  # noqa: E402 - after django.setup()
    Command as DjangoMigrateCommand,
)
from django.db import connection, transaction  # noqa: E402 - after django.setup()
from django_tenants.utils import schema_context  # noqa: E402 - after django.setup()
from wagtail.models import Page, Site  # noqa: E402 - after django.setup()

from shared_apps.accounts.models import Invitation  # noqa: E402 - after django.setup()
from sites.blueprints import DEFAULT_BLUEPRINT, blueprint_get  # noqa: E402 - after django.setup()
from tenants.audit import Actor, audited  # noqa: E402 - after django.setup()
from tenants.jobs import job_mark  # noqa: E402 - after django.setup()
from tenants.models import AuditEvent, Domain, Job, Organisation  # noqa: E402 - after django.setup()
from tenants.pool import pool_refill, pool_size  # noqa: E402 - after django.setup()
from tenants.provisioning import (  # noqa: E402 - after django.setup()
    activate,
    invite_first_administrator,
    organisation_create,
    organisation_provision_request,
    provisioning_spec_build,
    seed_site,
)
from tenants.schema_template import ensure_template_schema  # noqa: E402 - after django.setup()

FAST_TARGET = 0.5
POOL_TARGET = 0.1
RATIO_TARGET = 15.0


def organisation_create_by_migrations(*, name: str, slug: str, admin_email: str):  # type: ignore[no-untyped-def]
    """django-tenants' default path: an empty schema with every migration run in it, then the same steps.

    Validation, reservation, job, audit record, site seeding, invitation and activation are the very
    functions ``organisation_create`` uses; only ``create_schema`` (clone or pool) is replaced by
    ``CREATE SCHEMA`` + Django's ``migrate`` in that schema, committed on its own as django-tenants does.
    """
    actor = Actor.system("benchmark")
    spec = provisioning_spec_build(name=name, slug=slug, admin_email=admin_email)
    job = organisation_provision_request(spec=spec, actor=actor)
    organisation = job.organisation
    job_mark(job=job, state=Job.State.RUNNING, step="creating_schema")
    with audited(actor=actor, action="organisation.provision", organisation_slug=slug) as detail:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(organisation.schema_name)))
        connection.set_schema(organisation.schema_name, include_public=False)
        try:
            call_command(DjangoMigrateCommand(), interactive=False, verbosity=0)
        finally:
            connection.set_schema_to_public()
        detail["schema_source"] = "migrations"
        with transaction.atomic():
            with schema_context(organisation.schema_name):
                # Wagtail's migrations add a "Welcome" page and a localhost Site (the template build
                # removes them the same way); the blueprint's site replaces them.
                Site.objects.all().delete()
                for page in Page.objects.filter(depth=2):
                    page.delete()
            seed_site(organisation=organisation, spec=spec, schema_source=detail["schema_source"])
            invite_first_administrator(organisation=organisation, spec=spec, actor=actor)
            activate(organisation=organisation)
    job_mark(job=job, state=Job.State.READY, step="ready", result={"schema": organisation.schema_name})
    return organisation


def timed_runs(*, label: str, count: int, prefix: str, create: Callable) -> list[float]:  # type: ignore[type-arg]
    seconds = []
    for number in range(1, count + 1):
        slug = f"{prefix}-{number:03d}"
        started = time.perf_counter()
        create(name=f"Benchmark {label} {number}", slug=slug, admin_email=f"admin@{slug}.example")
        seconds.append(time.perf_counter() - started)
        print(f"  {label} {number:>3}/{count}: {seconds[-1]:.3f}s", flush=True)
    return seconds


def schema_sources(*, prefix: str) -> dict[str, int]:
    """How the schemas of the organisations whose slug starts with ``prefix`` were made (audit records)."""
    details = AuditEvent.objects.filter(
        action="organisation.provision", outcome="success", organisation_slug__startswith=f"{prefix}-"
    ).values_list("detail", flat=True)
    return dict(Counter(detail.get("schema_source", "?") for detail in details))


def check_complete(*, prefix: str, count: int) -> None:
    """Every organisation is active, with its domain, schema, site and invitation (or the run is void)."""
    organisations = list(Organisation.objects.filter(slug__startswith=f"{prefix}-"))
    assert len(organisations) == count, (prefix, len(organisations))
    assert all(o.status == Organisation.Status.ACTIVE for o in organisations)
    assert Domain.objects.filter(tenant__in=organisations, is_primary=True).count() == count
    assert Invitation.objects.filter(organisation__in=organisations).count() == count
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = ANY(%s)", [[o.schema_name for o in organisations]]
        )
        assert cursor.fetchone()[0] == count
    for organisation in organisations[:: max(1, count // 3)]:
        with schema_context(organisation.schema_name):
            site = Site.objects.get(is_default_site=True)
            assert site.root_page.get_children().exists(), organisation.slug


def row(label: str, figures_: Figures, target: str) -> str:
    f = figures_
    return (
        f"  {label:<18}{f.count:>4}  p50 {f.p50:7.3f}s  p95 {f.p95:7.3f}s  mean {f.mean:7.3f}s  "
        f"min {f.low:7.3f}s  max {f.high:7.3f}s   {target}"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", type=int, default=20, help="organisations by template clone (default 20)")
    parser.add_argument("--pool", type=int, default=20, help="organisations from the warm pool (default 20)")
    parser.add_argument("--migrations", type=int, default=3, help="organisations by migrations (default 3)")
    args = parser.parse_args()

    database_recreate(database=DATABASE)

    print(f"[bench-provision] {machine_line()}", flush=True)
    print(f"[bench-provision] public schema migrated in {public_schema_migrate():.1f}s (untimed set-up)", flush=True)
    started = time.perf_counter()
    template = ensure_template_schema()
    print(f"[bench-provision] template {template} built in {time.perf_counter() - started:.1f}s (untimed set-up)")

    print(f"[bench-provision] fast path: {args.fast} organisations cloned from the template (pool size 0)")
    assert pool_size() == 0
    fast = timed_runs(label="fast", count=args.fast, prefix="fast", create=organisation_create)

    started = time.perf_counter()
    # Organisations here use the default blueprint: the pool is filled for that one only.
    made = pool_refill(size=args.pool, blueprints=[blueprint_get(key=DEFAULT_BLUEPRINT)])
    print(f"[bench-provision] warm pool: filled with {made} schemas in {time.perf_counter() - started:.1f}s (untimed)")
    pool = timed_runs(label="pool", count=args.pool, prefix="pool", create=organisation_create)
    assert pool_size() == 0, "every pool schema should have been claimed"

    print(f"[bench-provision] migrations path: {args.migrations} organisations by CREATE SCHEMA + all migrations")
    migrations = timed_runs(
        label="migrations", count=args.migrations, prefix="migr", create=organisation_create_by_migrations
    )

    sources = {prefix: schema_sources(prefix=prefix) for prefix in ("fast", "pool", "migr")}
    assert sources["fast"] == {"template": args.fast}, sources
    assert sources["pool"] == {"pool": args.pool}, sources
    assert sources["migr"] == {"migrations": args.migrations}, sources
    for prefix, count in (("fast", args.fast), ("pool", args.pool), ("migr", args.migrations)):
        check_complete(prefix=prefix, count=count)

    f_fast, f_pool, f_migr = figures(fast), figures(pool), figures(migrations)
    print()
    print("[bench-provision] seconds per organisation, end to end (schema sources checked in the audit trail:")
    print(f"                  {sources})")
    print(row("fast (template)", f_fast, f"target p50 <= {FAST_TARGET} s: {verdict(f_fast.p50 <= FAST_TARGET)}"))
    print(row("warm pool", f_pool, f"target p50 <= {POOL_TARGET} s: {verdict(f_pool.p50 <= POOL_TARGET)}"))
    print(row("migrations", f_migr, "(django-tenants' default path)"))
    fast_ratio, pool_ratio = f_migr.p50 / f_fast.p50, f_migr.p50 / f_pool.p50
    print(
        f"  ratio migrations p50 / fast p50 = {fast_ratio:.1f}x   target >= {RATIO_TARGET:.0f}x: "
        f"{verdict(fast_ratio >= RATIO_TARGET)}"
    )
    print(f"  ratio migrations p50 / pool p50 = {pool_ratio:.1f}x")
    print(f"  first fast-path organisation (plans the clone once per process): {fast[0]:.3f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
