"""Fleet migrations: one command brings the public schema, the template, every organisation schema and
every warm-pool schema up to date with the code's migrations.

Why not django-tenants' ``migrate_schemas``: it runs a full ``migrate`` in every schema even when there
is nothing to do (≈0.2 s per schema: 900 organisations, 12 min, django-tenants #719), its multiprocessing
executor forks the parent and can run out of memory (#1205, #1211), and it never migrates our template
(#1154) or the pool. Here:

1. The public schema: checked against the graph's leaf migrations, migrated with Django's own
   ``migrate`` (like ``migrate_schemas --shared``) only if behind.
2. The template: its name carries a hash of the migration graph, so "migrating" it means
   ``ensure_template_schema()``, which builds the one for the current code and drops stale ones.
3. The organisation and pool schemas: the ones already up to date are found in ONE query over every
   schema's ``django_migrations`` (``schemas_behind_migrations``) and skipped; the rest are migrated
   in a bounded number of fresh worker processes (spawned, not forked; each handles one schema at a
   time with Django's own ``migrate`` and is replaced after ``_TASKS_PER_WORKER`` schemas, so memory
   stays bounded). A schema that fails does not stop the others; every failure is reported at the end.
   A pool schema that is current afterwards is relabelled with the current template, so it can be
   claimed again.

A failure of the public schema or of the template stops the run before any organisation schema is
touched (they depend on both); that failure is reported like any other.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context

from django.db import connection, connections

from tenants.fleet_workers import (
    PUBLIC_SCHEMA,
    FleetError,
    describe_failure,
    migrate_in_this_process,
    worker_init,
    worker_migrate,
)
from tenants.models import Organisation, PoolSchema
from tenants.schema_template import ensure_template_schema, schema_exists, template_schema_name
from tenants.selectors import schemas_behind_migrations

# What runs in the worker processes is ``tenants.fleet_workers``: a spawned worker imports that module
# before Django is set up, never this one (which reads the registry's models).

#: A worker process is replaced after this many schemas: Django's migration state is rebuilt for
#: every schema, and a fresh process keeps the memory of a long run flat.
_TASKS_PER_WORKER = 100


_FLEET_LOCK_KEY = 0x60F5_0003  # held by the one fleet migration that may run at a time


@dataclass(frozen=True)
class FleetEvent:
    """One step of a fleet run, for the progress callback.

    ``outcome`` is ``"up to date"``, ``"migrated"``, ``"failed"`` (with ``error``), or for the template
    ``"built"``. ``done``/``total`` count the organisation and pool schemas (0/0 for public and template).
    """

    schema: str
    outcome: str
    done: int = 0
    total: int = 0
    seconds: float = 0.0
    error: str = ""


FleetProgress = Callable[[FleetEvent], None]


@dataclass(frozen=True)
class FleetFailure:
    schema: str
    error: str


@dataclass
class FleetPlan:
    """Which organisation/pool schemas are behind (``{schema: leaf migrations missing}``) and which are not."""

    schemas: list[str]
    behind: dict[str, int]
    pool_schemas: set[str] = field(default_factory=set)
    provisioning: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> list[str]:
        return [name for name in self.schemas if name not in self.behind]


@dataclass
class FleetPreview:
    """What a run would do, without doing it (``migrate_fleet --dry-run``)."""

    public_behind: int
    template: str
    template_present: bool
    plan: FleetPlan


@dataclass
class FleetReport:
    public: str = ""  # "up to date" | "migrated" | "failed"
    template: str = ""
    template_built: bool = False
    up_to_date: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    failed: list[FleetFailure] = field(default_factory=list)
    not_attempted: list[str] = field(default_factory=list)
    skipped_provisioning: list[str] = field(default_factory=list)
    pool_relabelled: int = 0
    workers_used: int = 0
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


# --- Planning ---------------------------------------------------------------------------------------------


def fleet_plan(*, schemas: list[str] | None = None) -> FleetPlan:
    """The organisation and pool schemas to look at, and which of them are behind (one query for all).

    ``schemas=None``: every organisation schema (except organisations still being provisioned: their
    schema is being created from the current template in an uncommitted transaction) and every pool
    schema. A given list must name organisation or pool schemas; ``FleetError`` names any other.
    """
    targets, pool, provisioning = _targets(schemas=schemas)
    return FleetPlan(
        schemas=targets,
        behind=schemas_behind_migrations(schema_names=targets),
        pool_schemas=pool,
        provisioning=provisioning,
    )


def _targets(*, schemas: list[str] | None) -> tuple[list[str], set[str], list[str]]:
    """``(schemas to check, which of them are pool schemas, organisations skipped as provisioning)``."""
    organisations = list(Organisation.objects.order_by("schema_name").values_list("schema_name", "status"))
    pool = list(PoolSchema.objects.order_by("name").values_list("name", flat=True))
    if schemas is None:
        provisioning = [name for name, status in organisations if status == Organisation.Status.PROVISIONING]
        targets = [name for name, status in organisations if status != Organisation.Status.PROVISIONING] + pool
        return targets, set(pool), provisioning
    known = {name for name, _status in organisations} | set(pool)
    targets = list(dict.fromkeys(schemas))
    unknown = [name for name in targets if name not in known]
    if unknown:
        raise FleetError(f"Not an organisation or pool schema: {', '.join(unknown)}")
    return targets, set(pool) & set(targets), []


def fleet_preview(*, schemas: list[str] | None = None) -> FleetPreview:
    """What ``fleet_migrate`` would do now: nothing is changed."""
    template = template_schema_name()
    return FleetPreview(
        public_behind=schemas_behind_migrations(schema_names=[PUBLIC_SCHEMA]).get(PUBLIC_SCHEMA, 0),
        template=template,
        template_present=schema_exists(template),
        plan=fleet_plan(schemas=schemas),
    )


# --- The run ----------------------------------------------------------------------------------------------


def fleet_migrate(
    *, workers: int = 2, schemas: list[str] | None = None, progress: FleetProgress | None = None
) -> FleetReport:
    """Migrate the public schema, the template, and every organisation and pool schema that is behind.

    ``schemas`` limits step 3 to the given organisation/pool schemas (public and template are always
    brought up to date first). Never raises for a failing schema: see ``FleetReport.failed``.
    """

    if workers < 1:
        raise FleetError("At least one worker is needed.")
    if connection.in_atomic_block:
        raise FleetError("The fleet must run outside a transaction (migrations commit).")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_FLEET_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise FleetError("Another fleet migration is running on this database; wait for it to finish.")
    try:
        return _fleet_migrate(workers=workers, schemas=schemas, progress=progress)
    finally:
        connection.set_schema_to_public()  # deliberate: a fleet run always ends in the public schema
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_FLEET_LOCK_KEY])


def _fleet_migrate(*, workers: int, schemas: list[str] | None, progress: FleetProgress | None) -> FleetReport:
    started = time.perf_counter()
    report = FleetReport()

    def emit(event: FleetEvent) -> None:
        if progress is not None:
            progress(event)

    if schemas is not None:
        _targets(schemas=schemas)  # an unknown name fails the run before anything is done

    # 1. The public schema.
    step = time.perf_counter()
    try:
        if schemas_behind_migrations(schema_names=[PUBLIC_SCHEMA]):
            migrate_in_this_process(PUBLIC_SCHEMA)
            report.public = "migrated"
        else:
            report.public = "up to date"
    except Exception as exc:  # noqa: BLE001 - reported; nothing else runs on a broken public schema
        return _stop(
            report=report, schema=PUBLIC_SCHEMA, exc=exc, step=step, started=started, emit=emit, schemas=schemas
        )
    report.step_seconds["public"] = time.perf_counter() - step
    emit(FleetEvent(schema=PUBLIC_SCHEMA, outcome=report.public, seconds=report.step_seconds["public"]))

    # 2. The template (built for the current migration graph; stale ones dropped).
    step = time.perf_counter()
    expected = template_schema_name()
    try:
        present = schema_exists(expected)
        report.template = ensure_template_schema()
        report.template_built = not present
    except Exception as exc:  # noqa: BLE001 - reported; schemas are not migrated without a template
        report.template = expected
        return _stop(report=report, schema=expected, exc=exc, step=step, started=started, emit=emit, schemas=schemas)
    report.step_seconds["template"] = time.perf_counter() - step
    emit(
        FleetEvent(
            schema=report.template,
            outcome="built" if report.template_built else "up to date",
            seconds=report.step_seconds["template"],
        )
    )

    # 3. Organisation and pool schemas: one query finds the ones behind.
    step = time.perf_counter()
    plan = fleet_plan(schemas=schemas)
    report.step_seconds["plan"] = time.perf_counter() - step
    report.skipped_provisioning = plan.provisioning
    total = len(plan.schemas)
    done = 0
    for name in plan.up_to_date:
        done += 1
        report.up_to_date.append(name)
        emit(FleetEvent(schema=name, outcome="up to date", done=done, total=total))

    step = time.perf_counter()
    todo = [name for name in plan.schemas if name in plan.behind]
    if todo:
        report.workers_used = min(workers, len(todo))
        for name, error, seconds in _run_in_workers(todo, workers=report.workers_used):
            done += 1
            if error is None:
                report.migrated.append(name)
                emit(FleetEvent(schema=name, outcome="migrated", done=done, total=total, seconds=seconds))
            else:
                report.failed.append(FleetFailure(schema=name, error=error))
                emit(FleetEvent(schema=name, outcome="failed", done=done, total=total, seconds=seconds, error=error))
    report.step_seconds["schemas"] = time.perf_counter() - step

    # Pool schemas that are current now can be claimed again: label them with the current template.
    current_pool = [name for name in report.up_to_date + report.migrated if name in plan.pool_schemas]
    if current_pool:
        report.pool_relabelled = (
            PoolSchema.objects.filter(name__in=current_pool)
            .exclude(template=report.template)
            .update(template=report.template)
        )
    report.seconds = time.perf_counter() - started
    return report


def _stop(
    *,
    report: FleetReport,
    schema: str,
    exc: BaseException,
    step: float,
    started: float,
    emit: FleetProgress,
    schemas: list[str] | None,
) -> FleetReport:
    """End the run after the public schema or the template failed: the rest is listed, not attempted."""
    connection.set_schema_to_public()  # deliberate reset: the failed step may have left any schema set
    error = describe_failure(exc)
    seconds = time.perf_counter() - step
    report.failed.append(FleetFailure(schema=schema, error=error))
    if schema == PUBLIC_SCHEMA:
        report.public = "failed"
    emit(FleetEvent(schema=schema, outcome="failed", seconds=seconds, error=error))
    try:
        report.not_attempted = fleet_plan(schemas=schemas).schemas
    except Exception:  # noqa: BLE001 - the registry itself may be what is broken
        report.not_attempted = list(schemas or [])
    report.seconds = time.perf_counter() - started
    return report


def _run_in_workers(names: list[str], *, workers: int) -> Iterator[tuple[str, str | None, float]]:
    """Yield ``(schema, error or None, seconds)`` as each schema finishes, from ``workers`` fresh processes.

    At most ``workers`` schemas are in flight (no queue of thousands of pickled tasks). A worker that
    dies breaks the whole pool: the schemas in flight are tried once more in a new pool, and a schema
    that was in flight twice when that happened is reported as failed. A pool that breaks before
    finishing any schema (the workers cannot start) fails the remaining schemas at once.
    """
    database = {key: connection.settings_dict.get(key) for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    # Workers open their own connections; nothing of this process's may leak into them.
    connections.close_all()
    pending = list(reversed(names))
    attempts: dict[str, int] = {}
    while pending:
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),
            initializer=worker_init,
            initargs=(settings_module, database),
            max_tasks_per_child=_TASKS_PER_WORKER,
        )
        in_flight: dict[Future, tuple[str, float]] = {}
        broken = False
        completed = 0  # schemas a worker of this pool got through (migrated or failed)
        try:
            while True:
                while pending and len(in_flight) < workers and not broken:
                    name = pending.pop()
                    attempts[name] = attempts.get(name, 0) + 1
                    in_flight[executor.submit(worker_migrate, name)] = (name, time.perf_counter())
                if not in_flight:
                    break
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    name, submitted = in_flight.pop(future)
                    try:
                        result = future.result()
                        completed += 1
                    except BrokenProcessPool:
                        broken = True
                        if attempts[name] < 2 and completed:
                            pending.append(name)
                            continue
                        error = "A worker process died (or could not start) while migrating this schema."
                        result = (name, error, time.perf_counter() - submitted)
                    yield result
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        if broken and not completed:
            error = "Not attempted: the worker processes could not start or died at once (see the error above)."
            while pending:
                yield pending.pop(), error, 0.0
