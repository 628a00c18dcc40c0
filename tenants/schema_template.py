"""The template schema every organisation schema is cloned from, and the clone itself.

Why: running every migration for a new organisation costs 7-8 s here (NOTES §3); cloning a migrated
template costs a fraction of that. Why not django-tenants' ``clone_schema()``: it is a generic
plpgsql walk over the catalogue for every clone (~0.6 s), and its base schema is never migrated by
``migrate_schemas`` (django-tenants #1154), so a stale template silently yields broken organisations.

Here:

* The template's name carries a hash of the migration graph (``_template_<hash>``). Code with other
  migrations looks for another template, finds none and builds it, so a stale template cannot be
  used. A template counts only once marked complete, so a half-built one is rebuilt.
* The clone is planned once per template, from the catalogue, into one SQL script (tables, rows,
  constraints and indexes under their original names, identity positions, foreign keys), which is
  then run for each new schema in a single round trip, inside the caller's transaction.
* The template holds ``django_migrations`` rows, so a clone is born up to date: no fake-migrate.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from psycopg import sql

from tenants.naming import TEMPLATE_SCHEMA_PREFIX

_COMPLETE_MARK = "govsquare template complete"
# Columns, NOT NULL, defaults and identity; constraints and indexes are added under their own names.
_LIKE_OPTIONS = "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE"
_BUILD_LOCK_KEY = 0x60F5_0001  # pg_advisory_lock key held while a template is being built
_plans: dict[str, CloneScript] = {}
_plans_lock = threading.Lock()


class TemplateError(RuntimeError):
    """The template schema cannot be built or cloned; the message says why."""


def migration_graph_hash() -> str:
    """A hash of every migration on disk: names, dependencies and file contents."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    digest = hashlib.sha256()
    for key in sorted(loader.graph.nodes):
        migration = loader.graph.nodes[key]
        digest.update(repr(key).encode())
        digest.update(repr(sorted(loader.graph.node_map[key].parents)).encode())
        module = getattr(migration, "__module__", "")
        source = _module_file(module)
        if source is not None:
            digest.update(source.read_bytes())
    return digest.hexdigest()


def _module_file(module_name: str) -> Path | None:
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    return Path(path) if path and Path(path).is_file() else None


def template_schema_name(*, graph_hash: str | None = None) -> str:
    return f"{TEMPLATE_SCHEMA_PREFIX}{(graph_hash or migration_graph_hash())[:16]}"


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _is_complete(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
            [name],
        )
        row = cursor.fetchone()
    return bool(row and row[0] == _COMPLETE_MARK)


def ensure_template_schema(*, verbosity: int = 0) -> str:
    """Return the name of a complete template schema for the code's migrations, building it if needed.

    Safe to call from several processes at once: builders queue on an advisory lock, and the
    second finds the first one's template complete. Templates of other migration graphs are dropped.
    """
    name = template_schema_name()
    if _is_complete(name):
        return name
    if connection.in_atomic_block:
        raise TemplateError("The template schema must be built outside a transaction (migrations commit).")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_BUILD_LOCK_KEY])
    try:
        if _is_complete(name):
            return name
        _build_template(name, verbosity=verbosity)
        _drop_other_templates(keep=name)
    finally:
        connection.set_schema_to_public()  # deliberate: whatever a failed build left, callers go on in public
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_BUILD_LOCK_KEY])
    return name


def _build_template(name: str, *, verbosity: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    # The router installs TENANT_APPS in any schema that is not public. Set directly (not in_schema):
    # migrate needs the schema without public on its search path, and the build ends in public.
    connection.set_schema(name, include_public=False)
    try:
        # Django's own migrate, not django-tenants' override (which would migrate every schema).
        call_command(DjangoMigrateCommand(), interactive=False, verbosity=verbosity)
        with transaction.atomic():
            _strip_wagtail_default_site()
    finally:
        connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("COMMENT ON SCHEMA {} IS {}").format(sql.Identifier(name), sql.Literal(_COMPLETE_MARK)))


def _strip_wagtail_default_site() -> None:
    """Wagtail's migrations add a 'Welcome' page and a localhost Site; organisations get their own."""
    from wagtail.models import Page, Site  # noqa: PLC0415 - fleet workers import this module before Django is set up

    Site.objects.all().delete()
    for page in Page.objects.filter(depth=2):
        page.delete()


def _drop_other_templates(*, keep: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s AND nspname <> %s",
            [TEMPLATE_SCHEMA_PREFIX.replace("_", r"\_") + "%", keep],
        )
        for (stale,) in cursor.fetchall():
            cursor.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(stale)))


# --- The clone ------------------------------------------------------------------------------------


@dataclass
class CloneScript:
    """The SQL that turns an empty schema into a copy of the template (run with search_path = target)."""

    template: str
    statements: list[str] = field(default_factory=list)
    table_count: int = 0

    def render(self) -> str:
        return ";\n".join(self.statements) + ";"


def clone_template(*, target: str, template: str | None = None) -> None:
    """Create schema ``target`` as a copy of the template, in the caller's transaction.

    Raises ``TemplateError`` if the template is missing or incomplete. Leaves the connection in the
    public schema.
    """
    template = template or template_schema_name()
    if not _is_complete(template):
        raise TemplateError(f"The template schema {template} is missing or incomplete; run ensure_template_schema().")
    plan = clone_script(template=template)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(target)))
        cursor.execute(
            sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(target)).as_string(cursor.connection)
            + ";\n"
            + plan.render()
        )
    # django-tenants sets search_path again on the next cursor.
    connection.search_path_set_schemas = None
    connection.set_schema_to_public()  # deliberate: SET LOCAL changed the path under django-tenants; documented above


def clone_script(*, template: str) -> CloneScript:
    """The clone plan of ``template``, read from the catalogue once per process and kept."""
    with _plans_lock:
        plan = _plans.get(template)
    if plan is None:
        plan = _plan_clone(template)
        with _plans_lock:
            _plans[template] = plan
    return plan


def _plan_clone(template: str) -> CloneScript:
    q = sql.Identifier(template)
    plan = CloneScript(template=template)
    with transaction.atomic(), connection.cursor() as cursor:
        # Definitions are rendered relative to the template, so they apply unchanged to the target.
        cursor.execute(sql.SQL("SET LOCAL search_path TO {}").format(q).as_string(cursor.connection))
        _refuse_unsupported_objects(cursor, template)

        cursor.execute(
            """
            SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname
            """,
            [template],
        )
        tables = cursor.fetchall()
        plan.table_count = len(tables)
        create, copy, constraints, indexes, identities, foreign_keys = [], [], [], [], [], []
        for oid, table in tables:
            ident = sql.Identifier(table).as_string(cursor.connection)
            source = f"{q.as_string(cursor.connection)}.{ident}"
            create.append(f"CREATE TABLE {ident} (LIKE {source} {_LIKE_OPTIONS})")
            cursor.execute(
                """
                SELECT attname, attgenerated <> '' AS generated, attidentity <> '' AS is_identity
                FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum
                """,
                [oid],
            )
            columns = cursor.fetchall()
            insertable = [
                sql.Identifier(name).as_string(cursor.connection) for name, generated, _ in columns if not generated
            ]
            cursor.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {}.{})").format(q, sql.Identifier(table)))
            if cursor.fetchone()[0]:
                column_list = ", ".join(insertable)
                overriding = " OVERRIDING SYSTEM VALUE" if any(col[2] for col in columns) else ""
                copy.append(f"INSERT INTO {ident} ({column_list}){overriding} SELECT {column_list} FROM {source}")
            for name, _generated, is_identity in columns:
                if not is_identity:
                    continue
                cursor.execute(
                    "SELECT s.last_value FROM pg_sequences s "
                    "WHERE s.schemaname = %s AND s.sequencename = "
                    "split_part(pg_get_serial_sequence(%s, %s), '.', 2)",
                    [template, f"{q.as_string(cursor.connection)}.{ident}", name],
                )
                row = cursor.fetchone()
                if row and row[0] is not None:  # NULL: the sequence was never used
                    restart = row[0] + 1
                    column = sql.Identifier(name).as_string(cursor.connection)
                    identities.append(f"ALTER TABLE {ident} ALTER COLUMN {column} RESTART WITH {int(restart)}")
        cursor.execute(
            """
            SELECT cl.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
            FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = cl.relnamespace
            WHERE n.nspname = %s ORDER BY con.contype = 'f', cl.relname, con.conname
            """,
            [template],
        )
        for table, name, contype, definition in cursor.fetchall():
            if contype == "n":  # NOT NULL (PostgreSQL 18 lists them): copied by LIKE already
                continue
            statement = (
                f"ALTER TABLE {sql.Identifier(table).as_string(cursor.connection)} "
                f"ADD CONSTRAINT {sql.Identifier(name).as_string(cursor.connection)} {definition}"
            )
            (foreign_keys if contype == "f" else constraints).append(statement)
        cursor.execute(
            """
            SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
            WHERE n.nspname = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY ic.relname
            """,
            [template],
        )
        # pg_get_indexdef() always names the table with its schema: make it relative to the target.
        index_defs = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT quote_ident(%s)", [template])
        qualified = f" ON {cursor.fetchone()[0]}."
        indexes = []
        for definition in index_defs:
            if definition.count(qualified) != 1:
                raise TemplateError(f"Cannot make this index definition relative to the target: {definition}")
            indexes.append(definition.replace(qualified, " ON "))
    plan.statements = create + copy + constraints + indexes + identities + foreign_keys
    return plan


def _refuse_unsupported_objects(cursor, template: str) -> None:  # type: ignore[no-untyped-def]
    """The clone copies tables, constraints, indexes and identity columns. Anything else must fail loudly."""
    cursor.execute(
        """
        SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind IN ('v', 'm', 'f', 'c')
        UNION ALL
        SELECT 'S', c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind = 'S'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i')
        UNION ALL
        SELECT 'function', p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s
        UNION ALL
        SELECT 'trigger', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal
        """,
        [template, template, template, template],
    )
    unsupported = cursor.fetchall()
    if unsupported:
        listed = ", ".join(f"{kind} {name}" for kind, name in unsupported[:10])
        raise TemplateError(f"The template schema {template} holds objects the clone cannot copy: {listed}")
